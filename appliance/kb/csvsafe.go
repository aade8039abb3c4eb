package kb

import "strings"

// formulaStarts are the first characters that make Excel, LibreOffice and
// Google Sheets read a CSV cell as a formula (OWASP "CSV Injection").
// A tab or carriage return first lets some of them skip to the next one.
const formulaStarts = "=+-@\t\r"

// escapeFormula prefixes a CSV cell that a spreadsheet would run as a
// formula with an apostrophe, which spreadsheets read as "text follows".
// A cell that is already apostrophes followed by such a character gets one
// more, so that unescapeFormula restores every cell exactly.
func escapeFormula(cell string) string {
	rest := strings.TrimLeft(cell, "'")
	if rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

// unescapeFormula removes the apostrophe escapeFormula added. It also
// reads a cell a person typed as '=… the way a spreadsheet shows it.
func unescapeFormula(cell string) string {
	rest := strings.TrimLeft(cell, "'")
	if len(rest) < len(cell) && rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
		return cell[1:]
	}
	return cell
}
