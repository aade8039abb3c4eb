package bot

import (
	"testing"

	"wenban/appliance/kb"
)

// fixtureEntries is a small knowledge base for unit tests. Two entries share
// the matter 抵押登记 and differ in the ask type, and one shares the ask type
// 时限 with a different matter, so tests can tell matter from ask type.
func fixtureEntries() []kb.Entry {
	return []kb.Entry{
		{ID: "dy-cl", Category: "不动产登记", Question: "办理抵押登记需要哪些材料？",
			Similar: []string{"抵押登记要带什么", "办抵押准备什么资料"},
			Answer:  "抵押人和抵押权人共同申请，提交身份证明、主债权合同和抵押合同。", Materials: []string{"身份证明", "抵押合同"}},
		{ID: "dy-sx", Category: "不动产登记", Question: "抵押登记多久能办好？",
			Similar: []string{"抵押登记要几天", "办抵押多长时间"},
			Answer:  "抵押登记一般在5个工作日内办结。"},
		{ID: "dyzx", Category: "不动产登记", Question: "贷款还清后如何办理抵押注销登记？",
			Similar: []string{"房贷还完了怎么解押", "解除抵押怎么办"},
			Answer:  "贷款还清后由银行出具同意注销的证明，申请抵押注销登记。"},
		{ID: "bz", Category: "不动产登记", Question: "不动产权证书遗失了如何申请补证？",
			Similar: []string{"房产证丢了怎么办", "补办不动产权证书"},
			Answer:  "权利人持身份证向登记机构申请补发，公告期满后补发证书。"},
		{ID: "ckyx", Category: "矿业权", Question: "采矿许可证到期了如何延续？",
			Similar: []string{"采矿证延续怎么办", "采矿许可证快过期了"},
			Answer:  "采矿权人应在采矿许可证有效期届满30日前申请延续登记。"},
		{ID: "mm", Category: "不动产登记", Question: "二手房过户怎么办理？",
			Similar: []string{"二手房买卖转移登记", "卖房子过户流程"},
			Answer:  "买卖双方共同申请转移登记，缴纳税费后领取新证。"},
		{ID: "sj", Category: "窗口服务", Question: "窗口的办公时间是什么时候？",
			Similar: []string{"几点上班", "周末上班吗"},
			Answer:  "工作日上午9点至下午5点。"},
	}
}

// newFixtureEngine builds an engine over fixtureEntries.
func newFixtureEngine(t testing.TB) *Engine {
	t.Helper()
	return newTestEngine(t, fixtureEntries(), Options{})
}
