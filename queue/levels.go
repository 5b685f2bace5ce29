package queue

import "fmt"

// Export targets of rating levels (DOMAIN 好差评: level codes differ between
// national and provincial systems, and surveys use three levels).
const (
	TargetNational   = "national"   // 5 = 非常满意 … 1 = 非常不满意 (hallq's own levels)
	TargetProvincial = "provincial" // 1 = 非常满意 … 5 = 非常不满意
	TargetSurvey3    = "survey3"    // 1 = 满意, 2 = 基本满意, 3 = 不满意
)

// LevelCode is a level as one export target codes and names it.
type LevelCode struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// levelTable is the one mapping table: for each target, the code and name of
// the national levels 1..5 (index 0 unused).
var levelTable = map[string][6]LevelCode{
	TargetNational:   {{}, {1, "非常不满意"}, {2, "不满意"}, {3, "基本满意"}, {4, "满意"}, {5, "非常满意"}},
	TargetProvincial: {{}, {5, "非常不满意"}, {4, "不满意"}, {3, "基本满意"}, {2, "满意"}, {1, "非常满意"}},
	TargetSurvey3:    {{}, {3, "不满意"}, {3, "不满意"}, {2, "基本满意"}, {1, "满意"}, {1, "满意"}},
}

// ExportLevel codes a national level (1-5) for target.
func ExportLevel(target string, level int) (LevelCode, error) {
	tab, ok := levelTable[target]
	if !ok {
		return LevelCode{}, fmt.Errorf("unknown level target %q", target)
	}
	if level < 1 || level > 5 {
		return LevelCode{}, fmt.Errorf("level %d is not 1-5", level)
	}
	return tab[level], nil
}

// ImportLevel lists the national levels a target's code stands for: one for
// five-level targets, one or two for the three-level survey.
func ImportLevel(target string, code int) ([]int, error) {
	tab, ok := levelTable[target]
	if !ok {
		return nil, fmt.Errorf("unknown level target %q", target)
	}
	var out []int
	for l := 1; l <= 5; l++ {
		if tab[l].Code == code {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no level code %d", target, code)
	}
	return out, nil
}

// LevelTargets lists the export targets.
func LevelTargets() []string { return []string{TargetNational, TargetProvincial, TargetSurvey3} }
