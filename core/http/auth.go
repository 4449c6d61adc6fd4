package http

import (
	"errors"
	"time"

	"classmate/core"
	"classmate/internal/contract"
	"classmate/token"
)

type loginRequest struct {
	StudentNo *string `json:"student_no"`
	Password  *string `json:"password"`
}

type loginResponse struct {
	SessionToken string       `json:"session_token"`
	ExpiresAt    time.Time    `json:"expires_at"`
	Student      core.Student `json:"student"`
}

// login checks a student's password and answers a session token.
func (s *Server) login(c *call) error {
	var req loginRequest
	if err := decodeObject(c.ctx.Request.Body(), &req); err != nil {
		return err
	}
	if req.StudentNo == nil || req.Password == nil {
		return core.Errorf(core.CodeBadRequest, "student_no and password are required")
	}
	if !core.ValidStudentNo(*req.StudentNo) || len(*req.Password) == 0 || len(*req.Password) > 72 {
		return core.ErrUnauthenticated
	}
	ctx, cancel := s.context()
	defer cancel()
	st, err := s.Students.StudentByNo(ctx, *req.StudentNo)
	if errors.Is(err, core.ErrNotFound) {
		return core.ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	if !core.PasswordMatches(st.PasswordHash, *req.Password) {
		return core.ErrUnauthenticated
	}
	ttl := s.SessionTTL
	if ttl == 0 {
		ttl = 12 * time.Hour
	}
	tok, sess, err := token.Issuer{Keys: s.Tokens.Session, Now: s.Now}.Session(st.ID, st.StudentNo, ttl)
	if err != nil {
		return err
	}
	contract.WriteJSON(c.ctx, 200, loginResponse{SessionToken: tok, ExpiresAt: sess.ExpiresAt.UTC(), Student: st})
	return nil
}
