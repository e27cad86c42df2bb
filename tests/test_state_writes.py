"""Every status field is a state machine run by engine.workflow: no other module writes a state.
(Records are created in their machine's initial state by the column's default.) The outbox and
webhook deliveries are delivery bookkeeping of the mail and webhook jobs, not a case's lifecycle."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
STATE_COLUMNS = {"state", "status"}
BOOKKEEPING = {"Outbox", "WebhookDelivery"}


def state_writes(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("update", "create", "insert", "insert_many", "get_or_create"):
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            keys = {k.arg for k in node.keywords} | {key.value for arg in node.args if isinstance(arg, ast.Dict)
                                                     for key in arg.keys if isinstance(key, ast.Constant)}
            born = [k for k in node.keywords if k.arg in STATE_COLUMNS and isinstance(k.value, ast.Call)
                    and getattr(k.value.func, "attr", None) == "born"]  # created in a state its machine starts in
            if keys & STATE_COLUMNS and owner not in BOOKKEEPING and not born:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {owner}.{node.func.attr}"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in STATE_COLUMNS:
                    yield f"{path.relative_to(ROOT)}:{node.lineno} .{target.attr} ="


def test_no_module_but_the_workflow_writes_a_state():
    writers = [write for package in ("engine", "web") for path in sorted((ROOT / package).rglob("*.py"))
               if path.name != "workflow.py" and "migrations" not in path.parts for write in state_writes(path)]
    assert writers == []


def test_every_lifecycle_is_a_machine():
    from engine import workflow
    machines = {path.stem for path in workflow.DEFINITIONS.glob("*.yaml")}
    assert {"offer", "consultation", "application", "employee", "enrolment", "policy", "business_event",
            "import", "enrolment_run"} <= machines


def test_the_architecture_page_draws_the_machines_as_they_are():
    from engine import workflow
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = page.split("<!-- workflows:begin -->\n", 1)[1].split("<!-- workflows:end -->", 1)[0]
    assert drawn == workflow.drawing(), "run `bkv workflows` and paste it into docs/architecture.md"
