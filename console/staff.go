package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// The staff page: admins add colleagues and switch accounts off. The first
// admin comes from `safetynet user add`.

// StaffMember is an account as the staff page lists it.
type StaffMember struct {
	User
	Disabled bool
}

func (c *Console) listStaff(ctx context.Context) ([]StaffMember, error) {
	rows, err := c.pool.Query(ctx, `SELECT id, name, role, created_at, disabled FROM console_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (StaffMember, error) {
		var m StaffMember
		err := row.Scan(&m.ID, &m.Name, &m.Role, &m.CreatedAt, &m.Disabled)
		return m, err
	})
}

// setDisabled switches an account off (ending its sessions) or on again,
// with the audit record in the same transaction.
func (c *Console) setDisabled(ctx context.Context, r *http.Request, by User, id int64, disabled bool) error {
	if id == by.ID {
		return errSelf
	}
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `UPDATE console_users SET disabled = $2 WHERE id = $1 RETURNING name`, id, disabled).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("staff %d: %w", id, err)
		}
		if disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE user_id = $1`, id); err != nil {
				return fmt.Errorf("staff %d sessions: %w", id, err)
			}
		}
		action := AuditUserEnable
		if disabled {
			action = AuditUserDisable
		}
		return audit(ctx, tx, by, r, action, name, nil)
	})
}

var errSelf = errors.New("an admin cannot switch off their own account")

func (c *Console) staffView(r *http.Request, s *session) (view, error) {
	list, err := c.listStaff(r.Context())
	if err != nil {
		return view{}, err
	}
	return c.newView(s, "staff", "工作人员账号", list), nil
}

func (c *Console) staffPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := c.staffView(r, s)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "staff", v)
}

func (c *Console) staffAdd(w http.ResponseWriter, r *http.Request, s *session) {
	var msg, notice string
	status := http.StatusOK
	role, err := ParseRole(r.PostFormValue("role"))
	if err != nil {
		status, msg = http.StatusBadRequest, "请选择角色。"
	} else {
		u, err := AddUser(r.Context(), c.pool, r.PostFormValue("name"), role, r.PostFormValue("password"))
		switch {
		case errors.Is(err, ErrConfusableName):
			status, msg = http.StatusBadRequest, "这个用户名和已有的账号看起来一样（大小写或形近字母），请换一个。"
		case errors.Is(err, ErrUserExists):
			status, msg = http.StatusBadRequest, "这个用户名已经有人用了。"
		case errors.Is(err, ErrWeakPassword):
			status, msg = http.StatusBadRequest, fmt.Sprintf("密码至少要 %d 个字符。", MinPasswordLen)
			var weak *WeakPasswordError
			if errors.As(err, &weak) {
				msg = weak.ReasonZH
			}
		case errors.Is(err, ErrBadName):
			status, msg = http.StatusBadRequest, "用户名不能为空、不能有空格，最多 64 个字。"
		case err != nil:
			c.fail(w, r, s, err)
			return
		default:
			if err := audit(r.Context(), c.pool, s.User, r, AuditUserAdd, u.Name, map[string]any{"role": string(u.Role)}); err != nil {
				c.fail(w, r, s, err)
				return
			}
			notice = "已添加账号 " + u.Name + "。请把初始密码当面或电话告诉本人。"
		}
	}
	v, err := c.staffView(r, s)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Error, v.Notice = msg, notice
	c.render(w, r, status, "staff", v)
}

func (c *Console) staffToggle(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	action := r.PathValue("action")
	if err != nil || (action != "disable" && action != "enable") {
		c.renderError(w, r, s, http.StatusNotFound, "没有这个账号或操作。")
		return
	}
	err = c.setDisabled(r.Context(), r, s.User, id, action == "disable")
	if errors.Is(err, errSelf) {
		v, verr := c.staffView(r, s)
		if verr != nil {
			c.fail(w, r, s, verr)
			return
		}
		v.Error = "不能停用自己的账号。"
		c.render(w, r, http.StatusBadRequest, "staff", v)
		return
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/staff", http.StatusSeeOther)
}
