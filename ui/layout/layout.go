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

// heading names the kind of problem, so a refused permission does not read
// like a failure of the system.
func (e Error) heading() string {
	switch {
	case e.Status == 401 || e.Status == 403:
		return "抱歉，您无权访问该页面"
	case e.Status == 404:
		return "抱歉，未找到该页面"
	case e.Status == 429:
		return "操作过于频繁，请稍后再试"
	case e.Status >= 400 && e.Status < 500:
		return "抱歉，请求未能完成"
	}
	return "抱歉，页面暂时无法显示"
}
