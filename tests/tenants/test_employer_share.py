"""The checker on a tariff's employer share bound (tariffs[].employer_share): a min above its max, or a share
outside 0..100, is an error at its line; a fixed share loads. What the bound does: tests/engine/test_employer_share_bounds.py."""
from tenants.check import check_paths


def test_the_checker_refuses_a_min_above_max_at_its_line(demo_copy):
    auxilia = demo_copy("auxilia").replace("    module: dental\n", "    module: dental\n    employer_share: {min: 80, max: 50}\n")
    [problem] = [p for p in check_paths([str(auxilia.folder)]) if p.is_error]
    assert problem.dotted_path == "tariffs[0].employer_share.min" and problem.line == auxilia.line_of("employer_share:")
    assert "found min 80 above max 50" in problem.message
    auxilia.replace("{min: 80, max: 50}", "{min: 120}")
    [problem] = [p for p in check_paths([str(auxilia.folder)]) if p.is_error]
    assert problem.line == auxilia.line_of("employer_share:") and problem.message == "found 120, expected at most 100"
    auxilia.replace("{min: 120}", "75")
    assert not [p for p in check_paths([str(auxilia.folder)]) if p.is_error]
