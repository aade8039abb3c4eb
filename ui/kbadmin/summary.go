package kbadmin

import "strings"

// summaryPart is one field of a change summary. For example, "相似问法：+甲，−乙"
// has the label 相似问法 and two items.
type summaryPart struct {
	Label string
	Items []summaryItem
}

// summaryItem is one piece of a field's change. Kind is "add" or "remove"
// for list items and "text" otherwise.
type summaryItem struct {
	Kind string
	Text string
}

// summaryParts splits a change summary, as kb.DiffSummary writes it, into
// its fields. Fields are separated by "；", a label ends with "：" and list
// items start with "+" or "−". A phrasing may itself contain "，", so a
// piece without a sign is joined back to the item before it.
func summaryParts(summary string) []summaryPart {
	var parts []summaryPart
	for _, field := range strings.Split(summary, "；") {
		label, rest, ok := strings.Cut(field, "：")
		if !ok || label == "" {
			label, rest = "", field
		}
		parts = append(parts, summaryPart{Label: label, Items: summaryItems(rest)})
	}
	return parts
}

func summaryItems(rest string) []summaryItem {
	var items []summaryItem
	for _, piece := range strings.Split(rest, "，") {
		kind := "text"
		switch {
		case strings.HasPrefix(piece, "+"):
			kind = "add"
		case strings.HasPrefix(piece, "−"):
			kind = "remove"
		}
		last := len(items) - 1
		if kind == "text" && last >= 0 && items[last].Kind != "text" && !strings.HasPrefix(piece, "等 ") {
			items[last].Text += "，" + piece
			continue
		}
		items = append(items, summaryItem{Kind: kind, Text: piece})
	}
	return items
}

// hasItems reports whether any part carries an added or removed item.
func hasItems(parts []summaryPart) bool {
	for _, p := range parts {
		for _, it := range p.Items {
			if it.Kind != "text" {
				return true
			}
		}
	}
	return false
}
