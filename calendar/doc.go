// Package calendar is the hall's working-day calendar (工作日历, CONTRACT §1
// calendar): weekends, public holidays, make-up working days (调休) and
// per-day opening exceptions (closed days, 延时服务 extended hours).
//
// It is pure: dates are hall-local "YYYY-MM-DD" strings, there is no clock
// and no I/O. Every date rule of hallq asks it: whether the hall issues
// tickets on a day, the date a 承诺件 result is promised on, and the
// deadlines of a 差评 case.
//
// A date is a working day if it is listed in Workdays, or if it is neither a
// Weekend day nor in Holidays. "The Nth working day after D" does not count D.
package calendar
