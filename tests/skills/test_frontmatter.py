"""SKILL.md parsing: valid shapes, the line fallback, and malformed files named in warnings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from openclaw_desktop.skills import SkillSource, SkillSourceKind, load_skills
from openclaw_desktop.skills.frontmatter import parse_skill_md

from .helpers import simple, write_skill

WS = SkillSourceKind.WORKSPACE


def load(root: Path):
    return load_skills([SkillSource(root, WS)], which=lambda name: None, env={}, platform="linux")


def test_full_front_matter_is_read(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "weather", """
        name: weather
        description: >
          Look up the forecast
          for a city.
        homepage: https://example.org/weather
        user-invocable: false
        disable-model-invocation: true
        metadata:
          openclaw:
            emoji: "🌦"
            skillKey: wx
            primaryEnv: WX_KEY
            always: true
            os: [linux, macos]
            requires: {bins: [curl], anyBins: [jq, yq], env: [WX_KEY], config: [skills.wx.on]}
            install:
              - {id: brew, kind: brew, formula: curl, bins: [curl], label: Install curl}
        """, body="Files live in {baseDir}/data.\n")
    manifest, warnings = parse_skill_md(path.read_text(), path)
    assert warnings == ()
    assert manifest is not None
    assert (manifest.name, manifest.description) == ("weather", "Look up the forecast for a city.")
    assert (manifest.key, manifest.emoji, manifest.primary_env) == ("wx", "🌦", "WX_KEY")
    assert manifest.homepage == "https://example.org/weather"
    assert (manifest.always, manifest.user_invocable, manifest.disable_model_invocation) == (True, False, True)
    req = manifest.requirements
    assert (req.bins, req.any_bins, req.env, req.config) == (("curl",), ("jq", "yq"), ("WX_KEY",),
                                                            ("skills.wx.on",))
    assert req.os == ("linux", "darwin")  # "macos" is normalised
    assert [(i.id, i.kind, i.bins) for i in manifest.install] == [("brew", "brew", ("curl",))]
    assert manifest.body == f"Files live in {path.parent}/data.\n"


def test_metadata_as_inline_json5_and_legacy_key(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "gem", """
        name: gem
        description: Gemini CLI.
        metadata: { "clawdbot": { "emoji": "♊️", "requires": { "bins": ["gemini"], }, } }
        """)
    manifest, _ = parse_skill_md(path.read_text(), path)
    assert manifest is not None and manifest.requirements.bins == ("gemini",) and manifest.emoji == "♊️"


def test_metadata_as_a_json5_string(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "gem", """
        name: gem
        description: Gemini CLI.
        metadata: '{openclaw: {requires: {env: ["GEMINI_KEY"]}}}'
        """)
    manifest, _ = parse_skill_md(path.read_text(), path)
    assert manifest is not None and manifest.requirements.env == ("GEMINI_KEY",)


def test_unquoted_colon_falls_back_to_the_line_reader_with_a_warning(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "notes", "name: notes\ndescription: Notes: write them down\n"
                                         'metadata: {"openclaw": {"requires": {"bins": ["vim"]}}}')
    manifest, warnings = parse_skill_md(path.read_text(), path)
    assert manifest is not None
    assert manifest.description == "Notes: write them down"
    assert manifest.requirements.bins == ("vim",)
    assert len(warnings) == 1 and not warnings[0].skipped and "not valid YAML" in warnings[0].message


def test_missing_name_falls_back_to_the_folder(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "from-folder", "description: No name given.")
    manifest, warnings = parse_skill_md(path.read_text(), path)
    assert manifest is not None and manifest.name == "from-folder"
    assert any("'name' is missing" in w.message and not w.skipped for w in warnings)


def test_name_differing_from_folder_loads_with_a_warning(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "folder", simple("other"))
    manifest, warnings = parse_skill_md(path.read_text(), path)
    assert manifest is not None and manifest.name == "other"
    assert [w.message for w in warnings] == ["name 'other' differs from its folder 'folder'"]


MALFORMED = [
    pytest.param("no-fm", None, "no YAML front matter", id="no-front-matter"),
    pytest.param("unclosed", "UNCLOSED", "not closed", id="unclosed"),
    pytest.param("bad-yaml", "name: [unterminated\n  - x: : :", "not valid YAML", id="bad-yaml"),
    pytest.param("no-desc", "name: no-desc", "'description' is missing", id="no-description"),
    pytest.param("empty-desc", "name: empty-desc\ndescription: '   '", "'description' is missing", id="blank-description"),
    pytest.param("Upper", "name: Upper\ndescription: d", "invalid name 'Upper'", id="uppercase-name"),
    pytest.param("dash", "name: -dash\ndescription: d", "invalid name '-dash'", id="leading-hyphen"),
    pytest.param("dd", "name: a--b\ndescription: d", "invalid name 'a--b'", id="double-hyphen"),
    pytest.param("space", "name: two words\ndescription: d", "invalid name", id="space"),
    pytest.param("long", f"name: {'a' * 65}\ndescription: d", "invalid name", id="too-long"),
    pytest.param("num", "name: 42\ndescription: d", "'name' must be a string", id="name-not-string"),
    pytest.param("list", "- just\n- a list", "not a mapping", id="not-a-mapping"),
    pytest.param("meta", "name: meta\ndescription: d\nmetadata: '{openclaw: [1'", "not valid JSON5", id="bad-json5"),
    pytest.param("req", "name: req\ndescription: d\nmetadata: {openclaw: {requires: {bins: [1, 2]}}}",
                 "'requires.bins' must be a list", id="bad-bins"),
    pytest.param("oc", "name: oc\ndescription: d\nmetadata: {openclaw: yes}", "must be a mapping", id="openclaw-not-mapping"),
]


@pytest.mark.parametrize(("folder", "front_matter", "problem"), MALFORMED)
def test_malformed_skill_is_skipped_with_a_warning_naming_file_and_problem(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, folder: str, front_matter: str | None, problem: str) -> None:
    if front_matter == "UNCLOSED":
        path = tmp_path / folder / "SKILL.md"
        path.parent.mkdir()
        path.write_text("---\nname: unclosed\ndescription: d\n")
    else:
        path = write_skill(tmp_path, folder, front_matter)
    write_skill(tmp_path, "good", simple("good"))
    with caplog.at_level(logging.WARNING, logger="openclaw_desktop.skills"):
        catalog = load(tmp_path)
    assert [s.name for s in catalog.skills] == ["good"]
    skipped = [w for w in catalog.warnings if w.skipped]
    assert len(skipped) == 1
    assert skipped[0].path == path.absolute()
    assert problem in skipped[0].message
    assert str(path) in str(skipped[0]) and "skipped" in str(skipped[0])
    assert any(str(path) in record.getMessage() and problem in record.getMessage() for record in caplog.records)


def test_unreadable_bytes_are_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "binary" / "SKILL.md"
    path.parent.mkdir()
    path.write_bytes(b"---\nname: binary\ndescription: \xff\xfe\n---\n")
    catalog = load(tmp_path)
    assert catalog.skills == ()
    assert catalog.warnings[0].path == path and "cannot read" in catalog.warnings[0].message


def test_always_must_be_a_real_boolean(tmp_path: Path) -> None:
    path = write_skill(tmp_path, "x", simple("x", extra="metadata: {openclaw: {always: maybe}}"))
    manifest, warnings = parse_skill_md(path.read_text(), path)
    assert manifest is not None and manifest.always is False
    assert "not a boolean" in warnings[0].message
