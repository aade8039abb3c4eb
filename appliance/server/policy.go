package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"wenban/appliance/policy"
)

// openPolicy opens the policy library, seeds the starter library into an
// empty one and starts the update schedule.
func (s *Server) openPolicy(ctx context.Context) error {
	staging := s.cfg.PolicyStagingDir()
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return fmt.Errorf("creating policy staging folder %s: %w", staging, err)
	}
	log := s.log.With("component", "policy")

	lib, err := policy.Open(s.db, policy.Options{StagingDir: staging, Logger: log})
	if err != nil {
		return fmt.Errorf("opening policy library: %w", err)
	}
	s.policy = lib
	if seeded, err := lib.Seed(ctx); err != nil {
		return err
	} else if seeded {
		log.Info("starter policy library seeded", "documents", lib.Len())
	}

	loc, err := s.cfg.Policy.Location()
	if err != nil {
		return err
	}
	s.policyJob, err = policy.NewJob(lib, policy.JobOptions{
		Source:   s.cfg.Policy.Source,
		Schedule: s.cfg.Policy.Schedule,
		Location: loc,
		HTTP:     policy.HTTPOptions{Timeout: s.cfg.Policy.Timeout},
		Logger:   log,
	})
	if err != nil {
		return fmt.Errorf("configuring policy update job: %w", err)
	}
	s.policyJob.Start()
	return nil
}

// policyStopTimeout bounds the wait for a running update at shutdown; the
// run is cancelled first, so it only has to notice.
const policyStopTimeout = 5 * time.Second

// closePolicy stops the update job and releases the library's index.
func (s *Server) closePolicy() error {
	var errs []error
	if s.policyJob != nil {
		ctx, cancel := context.WithTimeout(context.Background(), policyStopTimeout)
		errs = append(errs, s.policyJob.Stop(ctx))
		cancel()
	}
	if s.policy != nil {
		errs = append(errs, s.policy.Close())
	}
	return errors.Join(errs...)
}

// Policy returns the policy library, for tools and tests.
func (s *Server) Policy() *policy.Library { return s.policy }
