// Package bot is the question-answering engine: it matches a citizen's
// question, typed in everyday Chinese, to one knowledge-base entry or reports
// that the question is outside the knowledge base.
//
// A question passes through these stages:
//
//   - Normalisation folds full-width characters, converts traditional to
//     simplified Chinese, lowercases letters and drops punctuation, spaces
//     and emoji.
//   - Runs typed in toneless pinyin ("ershoufang guohu") become characters,
//     chosen from the engine's own vocabulary.
//   - Spelling correction replaces a character whose pinyin matches a known
//     word, which absorbs typos made with a pinyin input method (低押 for
//     抵押), including sounds that southern speakers merge.
//   - The lexicon pass rewrites synonyms and colloquial names to one
//     canonical term (红本 to 不动产权证书), recognises the ask type
//     (materials, procedure, time limit, fee, place, progress, ...), marks
//     off-topic terms (社保, 公积金) and drops filler words. The characters
//     of a rewritten variant stay as features of their own.
//   - Retrieval takes as candidates the entries whose phrasings share a
//     character pair, a lexicon term, an ask type or a pinyin key with the
//     question, from an inverted index built with bleve's CJK analyser.
//   - A classifier trained on the knowledge base ranks them. Its score is
//     TF-IDF cosine similarity over characters, character bigrams and
//     lexicon terms, to the nearest phrasing and to each entry's centroid.
//     The score is weighted by how much of the question the entry covers,
//     and a query likelihood model reorders the leading entries. The ask
//     type counts as one feature and scales the score by how well the
//     question's ask type agrees with the entry's, while the matter of the
//     question (which business) supplies all other features. So the ask
//     type separates two entries about one business, and generic words of
//     the ask weigh less than the business.
//   - A second ranker, Okapi BM25 over the character pairs and triples of
//     each entry's phrasings, reorders the leading entries. It moves
//     entries, never scores, so it leaves the confidence to the classifier.
//
// A question is answered when the confidence of the best entry, which a
// near tie with the runner-up lowers, reaches the threshold. Unless
// Options.Threshold sets it, the threshold is calibrated for each
// knowledge base when the engine is built: it is set just above the
// confidence that most questions of the lexicon's outofscope files reach
// against that knowledge base.
//
// The lexicon is plain text embedded from the lexicon folder. Staff extend
// it with files of the same format in Options.LexiconDir. docs/bot.md
// describes the files and the calibration.
package bot
