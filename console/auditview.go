package console

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// auditKeys name the audit details' keys for staff.
var auditKeys = map[string]string{
	"results": "查到", "rows": "条数", "files": "文件", "enabled": "开启", "comment": "说明",
	"role": "角色", "chars": "字数", "delivered": "已送达", "name": "名称", "template": "模板",
	"area": "城乡", "regions": "地区", "programs": "类别", "effective_from": "生效日期", "changes": "修改",
	"title": "标题", "passages": "段落数", "status": "结果",
}

// AuditLines is auditLines with region ids said by name.
func (v view) AuditLines(detail json.RawMessage) []string {
	var names map[string]string
	if v.regionNames != nil {
		names = v.regionNames()
	}
	return auditLinesNamed(detail, names)
}

// auditLines turns an audit row's JSON detail into "key: value" lines a
// person reads, instead of raw JSON, keys in order of their names.
func auditLines(detail json.RawMessage) []string { return auditLinesNamed(detail, nil) }

func auditLinesNamed(detail json.RawMessage, regions map[string]string) []string {
	var m map[string]any
	if err := json.Unmarshal(detail, &m); err != nil || len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		name := auditKeys[k]
		if name == "" {
			name = k
		}
		if k == "changes" {
			// A region save: one line per figure, old → new.
			if list, ok := m[k].([]any); ok {
				for _, ch := range list {
					c, _ := ch.(map[string]any)
					field, _ := c["field"].(string)
					if l := paramLabels[field]; l != "" {
						field = l
					}
					out = append(out, fmt.Sprintf("%s：%s → %s", field, auditValue(c["old"]), auditValue(c["new"])))
				}
				if len(list) == 0 {
					out = append(out, "修改：没有改动")
				}
				continue
			}
		}
		if k == "regions" {
			if list, ok := m[k].([]any); ok {
				for i, r := range list {
					if id, _ := r.(string); regions[id] != "" {
						list[i] = regions[id]
					}
				}
			}
		}
		out = append(out, name+"："+auditValue(m[k]))
	}
	return out
}

func auditValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "（空）"
	case bool:
		if x {
			return "是"
		}
		return "否"
	case string:
		if x == "" {
			return "（空）"
		}
		return label(x)
	case float64:
		return trimFloat(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = auditValue(e)
		}
		if len(parts) == 0 {
			return "（无）"
		}
		return strings.Join(parts, "、")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " " + auditValue(x[k])
		}
		return strings.Join(parts, "，")
	}
	return fmt.Sprint(v)
}
