package mockidp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ssoconform/ssoconform/mockidp/directory"
)

// The state file keeps a developer's mock across restarts: every org with
// its users (passwords included), groups, apps (client secrets, SAML
// settings, provisioning tokens and settings, faults), assignments of users
// and groups, what each app's SCIM server was last told (pushed users with the
// ids the servers returned, pushed groups; files without "pushedUsers" get
// them from the assignments' external ids), the org's API token and
// console password. Signing keys, sessions and the System Log are not kept:
// keys are generated anew at start (OIDC clients re-read /keys; SAML SPs must
// re-import the metadata). It holds secrets and is written with mode 0600.
//
// Format (JSON; field names as below, times RFC 3339 in UTC):
//
//	{
//	  "version": 1,
//	  "savedAt": "2026-01-02T03:04:05.678Z",
//	  "orgs": [{
//	    "name": "acme", "apiToken": "00...", "consolePassword": "...",
//	    "directory": {
//	      "id": "00o...",
//	      "users": [{"id": "00u...", "login": "...", "email": "...", "firstName": "...",
//	                 "lastName": "...", "status": "ACTIVE", "password": "...",
//	                 "created": "...", "activated": "...", "statusChanged": "...",
//	                 "lastLogin": "...", "lastUpdated": "..."}],
//	      "groups": [{"id": "00g...", "name": "...", "description": "...", "members": ["00u..."],
//	                  "created": "...", "lastUpdated": "...", "lastMembershipUpdated": "..."}],
//	      "apps": [{"id": "0oa...", "label": "...", "signOnMode": "OPENID_CONNECT" | "SAML_2_0",
//	                "clientId": "...", "clientSecret": "...", "redirectUris": [...],
//	                "postLogoutRedirectUris": [...], "tokenEndpointAuthMethod": "...",
//	                "usernameFormat": "email", "faults": [...],
//	                "provisioning": {"baseUrl": "...", "token": "...", "flavour": "oin" | "aiw",
//	                                 "features": {"create": true, "update": true, "deactivate": true,
//	                                              "pushGroups": true}},
//	                "saml": {"ExternalKey": "exk...", "AppName": "...", "SSOURL": "...", ...}}],
//	      "assignments": [{"appId": "0oa...", "userId": "00u...", "userName": "...",
//	                       "externalId": "...", "scope": "USER" | "GROUP", "direct": true}],
//	      "groupAssignments": [{"appId": "0oa...", "groupId": "00g...", "priority": 0}],
//	      "pushedUsers": [{"appId": "0oa...", "userId": "00u...", "externalId": "...",
//	                       "userName": "...", "givenName": "...", "familyName": "...", "email": "...",
//	                       "displayName": "...", "active": true}],
//	      "groupPushes": [{"appId": "0oa...", "groupId": "00g...", "externalId": "...",
//	                       "displayName": "...", "members": ["00u..."]}]
//	    }
//	  }]
//	}
//
// The "saml" object carries directory.SAMLSettings with its Go field names.

// stateVersion is the version of the state file format written.
const stateVersion = 1

type stateFile struct {
	Version int        `json:"version"`
	SavedAt time.Time  `json:"savedAt"`
	Orgs    []orgState `json:"orgs"`
}

type orgState struct {
	Name            string             `json:"name"`
	APIToken        string             `json:"apiToken"`
	ConsolePassword string             `json:"consolePassword"`
	Directory       directory.Snapshot `json:"directory"`
}

// LoadState creates the orgs saved in a state file. It reports false, and
// does nothing, when the file does not exist; it fails if an org exists.
func (s *Server) LoadState(ctx context.Context, path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return false, fmt.Errorf("load state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return false, fmt.Errorf("load state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	for i := range st.Orgs {
		if _, err := s.addOrg(ctx, st.Orgs[i].Name, &st.Orgs[i]); err != nil {
			return false, fmt.Errorf("load state %s: %w", path, err)
		}
	}
	return true, nil
}

// SaveState writes every org to path atomically (a temporary file in the
// same directory, then a rename).
func (s *Server) SaveState(path string) error {
	st := stateFile{Version: stateVersion, SavedAt: s.cfg.Now().UTC().Truncate(time.Millisecond)}
	for _, o := range s.Orgs() {
		st.Orgs = append(st.Orgs, orgState{Name: o.name, APIToken: o.apiToken,
			ConsolePassword: o.consolePassword, Directory: o.dir.Snapshot()})
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	return writeAtomic(path, append(data, '\n'))
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// changed schedules a save of Config.StateFile after Config.SaveDelay; the
// changes made meanwhile go into the same save. It never blocks.
func (s *Server) changed() {
	if s.cfg.StateFile == "" {
		return
	}
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	if s.pending != nil {
		return
	}
	s.pending = time.AfterFunc(s.cfg.SaveDelay, func() {
		s.pendingMu.Lock()
		s.pending = nil
		s.pendingMu.Unlock()
		if err := s.SaveState(s.cfg.StateFile); err != nil {
			s.cfg.Logger.Error("save state", "err", err.Error())
		}
	})
}

// Flush cancels any pending save and saves Config.StateFile now (call it
// before exiting). It is a no-op without a state file.
func (s *Server) Flush() error {
	if s.cfg.StateFile == "" {
		return nil
	}
	s.pendingMu.Lock()
	if s.pending != nil {
		s.pending.Stop()
		s.pending = nil
	}
	s.pendingMu.Unlock()
	return s.SaveState(s.cfg.StateFile)
}
