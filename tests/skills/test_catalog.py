"""The catalog's renderings: the system-prompt block and the skills.status payload (§8.3)."""

from __future__ import annotations

from pathlib import Path

from openclaw_desktop.skills import SkillSource, SkillSourceKind, load_skills

from .helpers import config_from, simple, which_from, write_skill

STATUS_KEYS = {"name", "description", "source", "bundled", "filePath", "baseDir", "skillKey", "always", "disabled",
               "blockedByAllowlist", "blockedByAgentFilter", "eligible", "platformIncompatible", "modelVisible",
               "userInvocable", "commandVisible", "requirements", "missing", "configChecks", "install"}
REQ_KEYS = {"bins", "anyBins", "env", "config", "os"}


def build(tmp_path: Path, **kw):
    ws, bundled = tmp_path / "ws", tmp_path / "bundled"
    write_skill(ws, "ready", simple("ready", "Ready <now> & set.", """
        homepage: https://example.org
        metadata: {openclaw: {emoji: "✅", primaryEnv: TOKEN, requires: {bins: [git], env: [TOKEN]},
                   install: [{kind: brew, formula: git, bins: [git]}]}}
        """))
    write_skill(ws, "hidden", simple("hidden", "Slash only.", "disable-model-invocation: true"))
    write_skill(ws, "no-slash", simple("no-slash", "Model only.", "user-invocable: false"))
    write_skill(bundled, "needs-bin", simple("needs-bin", "Needs a binary.",
                                             "metadata: {openclaw: {requires: {bins: [missing-tool]}}}"))
    write_skill(bundled, "mac-only", simple("mac-only", "macOS.", "metadata: {openclaw: {os: [darwin]}}"))
    return load_skills([SkillSource(ws, SkillSourceKind.WORKSPACE), SkillSource(bundled, SkillSourceKind.BUNDLED)],
                       which=which_from(["git"]), env={"TOKEN": "t"}, config_lookup=config_from({}),
                       platform="linux", **kw)


def test_eligible_lists_available_skills(tmp_path: Path) -> None:
    assert [s.name for s in build(tmp_path).eligible()] == ["hidden", "no-slash", "ready"]


def test_prompt_block_lists_model_visible_skills_with_location(tmp_path: Path) -> None:
    catalog = build(tmp_path)
    block = catalog.prompt_block()
    assert block.count("<skill>") == 2  # "hidden" is slash-only, two are ineligible
    assert "<name>ready</name>" in block and "<name>no-slash</name>" in block
    assert "hidden" not in block and "needs-bin" not in block and "mac-only" not in block
    assert "<description>Ready &lt;now&gt; &amp; set.</description>" in block
    assert f"<location>{tmp_path / 'ws' / 'ready' / 'SKILL.md'}</location>" in block
    assert "`read`" in block  # tells the model how to use the location
    assert block.index("<name>no-slash</name>") < block.index("<name>ready</name>")  # stable order


def test_prompt_block_is_empty_without_visible_skills(tmp_path: Path) -> None:
    catalog = load_skills([SkillSource(tmp_path, SkillSourceKind.WORKSPACE)])
    assert catalog.prompt_block() == ""


def test_prompt_block_respects_its_budget(tmp_path: Path) -> None:
    for index in range(30):
        write_skill(tmp_path, f"skill-{index:02d}", simple(f"skill-{index:02d}", "x" * 200))
    catalog = load_skills([SkillSource(tmp_path, SkillSourceKind.WORKSPACE)], which=lambda n: None, env={})
    block = catalog.prompt_block(max_chars=2_000)
    assert len(block) <= 2_000 + 100  # the omission note may follow
    kept = block.count("<skill>")
    assert 0 < kept < 30 and f"{30 - kept} more skill(s) left out" in block
    assert block.rstrip().endswith("</available_skills>")


def test_status_payload_shape(tmp_path: Path) -> None:
    payload = build(tmp_path, agent_filter=["ready", "hidden", "no-slash", "needs-bin", "mac-only"]).status_payload(
        tmp_path / "ws", tmp_path / "state" / "skills", "main")
    assert payload["workspaceDir"] == str(tmp_path / "ws")
    assert payload["managedSkillsDir"] == str(tmp_path / "state" / "skills")
    assert payload["agentId"] == "main"
    assert payload["agentSkillFilter"] == ["ready", "hidden", "no-slash", "needs-bin", "mac-only"]
    by_name = {entry["name"]: entry for entry in payload["skills"]}
    assert list(by_name) == ["hidden", "mac-only", "needs-bin", "no-slash", "ready"]
    for entry in payload["skills"]:
        assert STATUS_KEYS <= entry.keys()
        assert set(entry["requirements"]) == REQ_KEYS and set(entry["missing"]) == REQ_KEYS
    ready = by_name["ready"]
    assert ready["source"] == "openclaw-workspace" and ready["bundled"] is False
    assert ready["filePath"] == str(tmp_path / "ws" / "ready" / "SKILL.md")
    assert ready["baseDir"] == str(tmp_path / "ws" / "ready")
    assert (ready["emoji"], ready["homepage"], ready["primaryEnv"], ready["skillKey"]) == (
        "✅", "https://example.org", "TOKEN", "ready")
    assert ready["eligible"] and ready["modelVisible"] and ready["userInvocable"] and ready["commandVisible"]
    assert ready["requirements"] == {"bins": ["git"], "anyBins": [], "env": ["TOKEN"], "config": [], "os": []}
    assert ready["install"] == [{"id": "brew-0", "kind": "brew", "label": "Install (brew)", "bins": ["git"]}]
    assert by_name["hidden"]["eligible"] and not by_name["hidden"]["modelVisible"]
    assert by_name["no-slash"]["modelVisible"] and not by_name["no-slash"]["commandVisible"]
    needs = by_name["needs-bin"]
    assert needs["source"] == "openclaw-bundled" and needs["bundled"] is True
    assert not needs["eligible"] and needs["missing"]["bins"] == ["missing-tool"]
    assert not needs["modelVisible"] and not needs["platformIncompatible"]
    mac = by_name["mac-only"]
    assert mac["platformIncompatible"] and mac["missing"]["os"] == ["darwin"] and not mac["eligible"]
    assert "emoji" not in by_name["hidden"]  # optional fields are omitted, not null


def test_status_payload_without_agent(tmp_path: Path) -> None:
    payload = build(tmp_path).status_payload("/w", "/m", None)
    assert "agentId" not in payload and "agentSkillFilter" not in payload


def test_bins_lists_every_referenced_binary(tmp_path: Path) -> None:
    assert build(tmp_path).bins() == ("git", "missing-tool")
