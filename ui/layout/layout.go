// Package layout holds the base page every hub page renders into and the
// error page. Pages carry no inline script or style, so the hub's
// Content-Security-Policy can forbid both.
package layout

// SiteName ends every page title.
const SiteName = "湖南省自然资源厅问办服务"

// Page describes the frame of one page.
type Page struct {
	// Title is shown before SiteName in the browser tab; empty shows
	// SiteName alone.
	Title string
	// Class is set on <body> and selects the page's CSS rules.
	Class string
	// Scripts are asset names under /static/, loaded as ES modules.
	Scripts []string
}

// Error is the view model of the error page.
type Error struct {
	Status int
	// Message is shown to the user as it is, so it is Simplified Chinese
	// and holds no internal detail.
	Message string
	// Back is the link offered to leave the page; empty means "/".
	Back string
}

func (p Page) fullTitle() string {
	if p.Title == "" {
		return SiteName
	}
	return p.Title + " - " + SiteName
}

func (e Error) backURL() string {
	if e.Back == "" {
		return "/"
	}
	return e.Back
}
