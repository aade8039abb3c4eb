package web

import (
	"sync"

	"wenban/appliance/bot"
)

// defaultReferrals parses the built-in referral file once. A file that
// does not parse is caught by the bot package's tests, so here it only
// disables referrals.
var defaultReferrals = sync.OnceValue(func() bot.Referrals {
	rs, err := bot.DefaultReferrals()
	if err != nil {
		return nil
	}
	return rs
})

// referralText returns the polite pointer for an unanswered question about
// another department's business, or "" when the question names none.
func referralText(question string) string {
	dept, term, ok := defaultReferrals().Match(question)
	if !ok {
		return ""
	}
	return "您咨询的“" + term + "”相关事项不属于自然资源部门的业务范围，建议向" + dept +
		"咨询，也可拨打 12345 政务服务便民热线。如有不动产登记、土地、矿产、测绘等方面的问题，欢迎继续提问。"
}
