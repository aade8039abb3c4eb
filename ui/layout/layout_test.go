package layout

import "testing"

func TestErrorHeading(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{403, "抱歉，您无权访问该页面"},
		{401, "抱歉，您无权访问该页面"},
		{404, "抱歉，未找到该页面"},
		{429, "操作过于频繁，请稍后再试"},
		{400, "抱歉，请求未能完成"},
		{500, "抱歉，页面暂时无法显示"},
		{503, "抱歉，页面暂时无法显示"},
	}
	for _, tt := range tests {
		if got := (Error{Status: tt.status}).heading(); got != tt.want {
			t.Errorf("heading for %d: got %q, want %q", tt.status, got, tt.want)
		}
	}
}
