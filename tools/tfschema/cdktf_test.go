package tfschema

import (
	"os"
	"path/filepath"
	"testing"
)

// bindings is a trimmed copy of the shape cdktf generates for a resource
// (lib/lb-listener/index.js of @cdktf/provider-aws).
const bindings = `
function lbListenerDefaultActionForwardToHclTerraform(struct) {
    const attrs = {
        target_group_arn: {
            value: cdktf.stringToHclTerraform(struct.targetGroupArn),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
}
class LbListenerDefaultActionForwardOutputReference extends cdktf.ComplexObject {
    constructor(terraformResource, terraformAttribute) {
        super(terraformResource, terraformAttribute, false, 0);
    }
    get targetGroupArn() {
        return this.getStringAttribute('target_group_arn');
    }
    set targetGroupArn(value) {
        this._targetGroupArn = value;
    }
}
function lbListenerDefaultActionToHclTerraform(struct) {
    const attrs = {
        type: {
            value: cdktf.stringToHclTerraform(struct.type),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
        order: {
            value: cdktf.numberToHclTerraform(struct.order),
            isBlock: false,
            type: "simple",
            storageClassType: "number",
        },
        forward: {
            value: lbListenerDefaultActionForwardToHclTerraform(struct.forward),
            isBlock: true,
            type: "list",
            storageClassType: "LbListenerDefaultActionForwardList",
        },
    };
}
class LbListenerDefaultActionOutputReference extends cdktf.ComplexObject {
    get type() {
        return this.getStringAttribute('type');
    }
    set type(value) {
        this._type = value;
    }
    get order() {
        return this.getNumberAttribute('order');
    }
    set order(value) {
        this._order = value;
    }
    resetOrder() {
        this._order = undefined;
    }
}
class LbListener extends cdktf.TerraformResource {
    constructor(scope, id, config) {
        // default_action - computed: false, optional: false, required: true
        this._defaultAction = new LbListenerDefaultActionList(this, "default_action", false);
    }
    get arn() {
        return this.getStringAttribute('arn');
    }
    get loadBalancerArn() {
        return this.getStringAttribute('load_balancer_arn');
    }
    set loadBalancerArn(value) {
        this._loadBalancerArn = value;
    }
    get port() {
        return this.getNumberAttribute('port');
    }
    set port(value) {
        this._port = value;
    }
    resetPort() {
        this._port = undefined;
    }
    get securityGroups() {
        return cdktf.Fn.tolist(this.getListAttribute('security_groups'));
    }
    get defaultAction() {
        return this._defaultAction;
    }
    putDefaultAction(value) {
        this._defaultAction.internalValue = value;
    }
    synthesizeHclAttributes() {
        const attrs = {
            load_balancer_arn: {
                value: cdktf.stringToHclTerraform(this._loadBalancerArn),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            port: {
                value: cdktf.numberToHclTerraform(this._port),
                isBlock: false,
                type: "simple",
                storageClassType: "number",
            },
            tags: {
                value: cdktf.hashMapper(cdktf.stringToHclTerraform)(this._tags),
                isBlock: false,
                type: "map",
                storageClassType: "stringMap",
            },
            default_action: {
                value: cdktf.listMapperHcl(lbListenerDefaultActionToHclTerraform, true)(this._defaultAction.internalValue),
                isBlock: true,
                type: "list",
                storageClassType: "LbListenerDefaultActionList",
            },
        };
    }
}
LbListener.tfResourceType = "aws_lb_listener";
`

func TestAddFile(t *testing.T) {
	s := &Schema{Resources: map[string]*Block{}, DataSources: map[string]*Block{}}
	if err := s.addFile(bindings); err != nil {
		t.Fatal(err)
	}
	b := s.Resources["aws_lb_listener"]
	if b == nil {
		t.Fatal("aws_lb_listener not found")
	}
	for _, tc := range []struct {
		name                         string
		kind                         string
		required, optional, computed bool
	}{
		{"load_balancer_arn", "string", true, false, false},
		{"port", "number", false, true, false},
		{"tags", "map", false, true, false},
		{"arn", "string", false, false, true},
		{"security_groups", "set", false, false, true},
	} {
		a := b.Attributes[tc.name]
		if a == nil {
			t.Errorf("%s: missing", tc.name)
			continue
		}
		if a.Type.Kind != tc.kind || a.Required != tc.required || a.Optional != tc.optional || a.Computed != tc.computed {
			t.Errorf("%s: got %+v, want kind %s required %v optional %v computed %v", tc.name, *a, tc.kind, tc.required, tc.optional, tc.computed)
		}
	}
	da := b.BlockTypes["default_action"]
	if da == nil || da.NestingMode != "list" || da.MinItems != 1 || da.MaxItems != 0 {
		t.Fatalf("default_action: got %+v, want a required repeatable list block", da)
	}
	if a := da.Block.Attributes["type"]; a == nil || !a.Required {
		t.Errorf("default_action.type: got %+v, want required", a)
	}
	if a := da.Block.Attributes["order"]; a == nil || !a.Optional {
		t.Errorf("default_action.order: got %+v, want optional", a)
	}
	if fw := da.Block.BlockTypes["forward"]; fw == nil || fw.MaxItems != 1 || fw.Block.Attributes["target_group_arn"] == nil {
		t.Errorf("default_action.forward: got %+v, want a block of at most one with target_group_arn", fw)
	}
}

// TestExtractAWS checks the real package when the cache holds it (make
// tf-check downloads it).
func TestExtractAWS(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the extraction of the whole package takes seconds")
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	tgz := filepath.Join(cache, "classmate", "npm", "cdktf-provider-aws-21.22.1.tgz")
	if _, err := os.Stat(tgz); err != nil {
		t.Skipf("%s not downloaded yet (tools/ops.sh tf-check fetches it)", tgz)
	}
	s, err := Extract(tgz)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Resources) < 1500 || len(s.DataSources) < 600 {
		t.Errorf("got %d resources and %d data sources, want the whole provider", len(s.Resources), len(s.DataSources))
	}
	asg := s.Resources["aws_autoscaling_group"]
	if asg == nil || !asg.Attributes["max_size"].Required || asg.BlockTypes["launch_template"] == nil {
		t.Errorf("aws_autoscaling_group: max_size must be required and launch_template a block")
	}
	db := s.Resources["aws_db_instance"]
	if db == nil || !db.Attributes["instance_class"].Required || !db.Attributes["address"].Computed {
		t.Errorf("aws_db_instance: instance_class must be required and address computed")
	}
	if s.Provider.Attributes["region"] == nil || s.Provider.BlockTypes["default_tags"] == nil {
		t.Errorf("provider: want region and default_tags")
	}
	if s.DataSources["aws_iam_policy_document"].Attributes["json"] == nil {
		t.Errorf("data aws_iam_policy_document: want json")
	}
}
