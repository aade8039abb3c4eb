// Package learn keeps the knowledge base current from what citizens ask.
// It proposes new phrasings of an entry from the conversations in which
// staff answered with that entry, groups the questions the bot could not
// answer into candidate entries, and gates every retrain: a candidate
// engine whose top-1 accuracy on the gate set falls below the live
// engine's is rejected unless an operator forces it.
//
// Service also fronts the draft and version operations of package kb for
// the administration pages, so every publish goes through the gate and
// swaps the live engine.
package learn
