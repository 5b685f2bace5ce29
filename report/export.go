package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Table is a report as a header and rows of cells (nil = null), for CSV and
// XLSX export (CONTRACT §5: header = the field names).
type Table struct {
	Sheet  string
	Header []string
	Rows   [][]any
}

// bom starts a UTF-8 CSV so that Excel reads it as UTF-8 (CONTRACT §5).
const bom = "\uFEFF"

// WriteCSV writes t as UTF-8 CSV with a BOM; null is an empty cell.
func (t *Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	rec := make([]string, len(t.Header))
	for _, row := range t.Rows {
		for i, c := range row {
			rec[i] = cellText(c)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func cellText(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// WriteXLSX writes t as an XLSX workbook of one sheet with the same header.
func (t *Table) WriteXLSX(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := t.Sheet
	if sheet == "" {
		sheet = "report"
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	head := make([]any, len(t.Header))
	for i, h := range t.Header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, row := range t.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := x.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// VisitsTable is the visits report as a table.
func VisitsTable(rows []VisitsRow) *Table {
	t := &Table{Sheet: "visits", Header: VisitsHeader}
	for _, r := range rows {
		t.Rows = append(t.Rows, r.Cells())
	}
	return t
}
