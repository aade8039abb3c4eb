package policy

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// inForceBoost is the score an in-force article gains over an amended or
// repealed one. It is small beside a text match, so it mostly reorders
// articles of near-equal relevance, such as the old and new text of one law.
const inForceBoost = 0.5

// preferInForce wraps a text query so that, of two articles that match
// alike, the one from a 现行有效 document ranks first. The in-force clause
// is optional, so it changes scores and never the set of hits.
func preferInForce(main query.Query) query.Query {
	inForce := bleve.NewTermQuery(StatusInForce.String())
	inForce.SetField(fieldStatus)
	inForce.SetBoost(inForceBoost)

	q := bleve.NewBooleanQuery()
	q.AddMust(main)
	q.AddShould(inForce)
	q.SetMinShould(0)
	return q
}
