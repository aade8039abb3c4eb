package server

import (
	"time"

	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/appliance/learn"
)

// retiredEngineGrace is how long a replaced engine stays open, so that
// questions that loaded it just before a publish can finish with it.
const retiredEngineGrace = time.Minute

// openLearn builds the learning loop and knowledge-base publisher over the
// store, the conversation service and the live engine.
func (s *Server) openLearn() error {
	var err error
	s.learn, err = learn.New(learn.Options{
		DB:          s.db,
		Transcripts: s.conv,
		Bot: bot.Options{
			Threshold:  s.cfg.Bot.Threshold,
			LexiconDir: s.cfg.Bot.LexiconDir,
			Logger:     s.log.With("component", "bot"),
		},
		Live:   s.engine.Load,
		Swap:   s.swapEngine,
		Logger: s.log.With("component", "learn"),
	})
	return err
}

// swapEngine installs a newly published engine and closes the old one
// after retiredEngineGrace.
func (s *Server) swapEngine(next *bot.Engine) {
	old := s.engine.Swap(next)
	if old == nil {
		return
	}
	time.AfterFunc(retiredEngineGrace, func() {
		if err := old.Close(); err != nil {
			s.log.Error("closing replaced bot engine failed", "error", err)
		}
	})
}

// publishers fans conversation events out to the realtime hub and to the
// learning loop, which turns closed conversations into proposals.
func (s *Server) publishers() conversation.Publisher {
	return fanout{s.hub, s.learn.Observer()}
}

type fanout []conversation.Publisher

func (f fanout) Publish(ev conversation.Event) {
	for _, p := range f {
		p.Publish(ev)
	}
}
