"""Who approved which set: an `approval` record in manifest.json, kept by every later build.

`python generate.py approve --by NAME` records the person, the date, the content version and the sha256 of each
PDF of the set in the output folder, once the set has passed the quality gate (quality.json). A later build keeps
the record (manifest_bytes); the gallery says of each leaflet whether its PDF is the one approved.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leaflets.checks.quality import Finding, failures
from leaflets.content.limits import PROBLEMS_SHOWN
from leaflets.content.load import display_path
from leaflets.errors import QualityError, UsageError
from leaflets.pipeline.files import write_atomically
from leaflets.pipeline.incremental import previous_outputs
from leaflets.pipeline.publish import MANIFEST, THUMBNAILS, output_folder

APPROVAL = "approval"
QUALITY = "quality.json"


def recorded(out_dir: Path) -> dict[str, Any] | None:
    """The approval recorded in the output folder's manifest, or None (none, or not one this program wrote)."""
    try:
        approval = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8")).get(APPROVAL)
    except (OSError, ValueError, AttributeError):
        return None
    ok = isinstance(approval, dict) and isinstance(approval.get("files"), dict)
    return approval if ok and all(isinstance(approval.get(k), str) for k in ("approved_by", "approved_on")) else None


def status(approval: Mapping[str, Any] | None, file: str, sha256: str) -> tuple[bool, str]:
    """Whether this PDF is the one approved, and the gallery's line saying so."""
    if approval is None:
        return False, "Not approved"
    who = f"{approval['approved_by']} on {approval['approved_on']}"
    if approval["files"].get(file) == sha256:
        return True, f"Approved by {who}"
    if file in approval["files"]:
        return False, f"Not approved: this PDF differs from the one approved by {who}"
    return False, f"Not approved: made after the approval by {who}"


def approve(
    out_dir: Path,
    by: str,
    note: str | None,
    descriptions: Mapping[str, str],
    title: str,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Record that `by` approved the set of PDFs in `out_dir`; rewrite the gallery to show it. Return the record.

    Refused (nothing written) when the folder holds no built set, when its PDFs are not the ones its manifest lists,
    or when the last build failed the quality gate (an error in quality.json).
    """
    shown = display_path(out_dir)
    _manifest(out_dir, shown)  # before output_folder, which would make a folder that is not there
    with output_folder(out_dir, shown):  # no build publishes while the record is written
        manifest = _manifest(out_dir, shown)
        _passed_gate(out_dir, shown)
        files = {str(entry["file"]): str(entry["sha256"]) for entry in manifest["files"]}
        intact = previous_outputs(out_dir)
        differ = sorted(name for name in files if name not in intact)
        if differ:
            raise QualityError(
                f"not recorded: {', '.join(differ[:5])}{' ...' if len(differ) > 5 else ''} in {shown} "
                f"{'is' if len(differ) == 1 else 'are'} not the PDF the manifest lists (changed or missing); build "
                "the leaflets again, check them, then approve"
            )
        record: dict[str, Any] = {
            "approved_by": by,
            "approved_on": (today or datetime.date.today()).isoformat(),
            "content_version": manifest.get("content_version", ""),
            **({"note": note} if note else {}),
            "files": files,
        }
        if not (out_dir / THUMBNAILS).is_dir() or (out_dir / THUMBNAILS).is_symlink():
            raise QualityError(f"not recorded: {shown} has no gallery thumbnails of its own; build the leaflets again")
        kept = {key: value for key, value in manifest.items() if key != APPROVAL}
        write_atomically(out_dir / MANIFEST, (json.dumps({**kept, APPROVAL: record}, indent=2) + "\n").encode())
        # After the record: a gallery never says "approved" of a set whose manifest does not.
        _show_in_gallery(out_dir, manifest, record, descriptions, title)
    return record


def _manifest(out_dir: Path, shown: str) -> dict[str, Any]:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"no {MANIFEST} in {shown}: build the leaflets first (python generate.py), or name their folder with --out"
        ) from None
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {shown}/{MANIFEST} ({error}); build the leaflets again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list) or not manifest["files"]:
        raise UsageError(f"{shown}/{MANIFEST} lists no leaflets; build the leaflets again")
    return manifest


def _passed_gate(out_dir: Path, shown: str) -> None:
    """Refuse a set whose last build (or check) failed the quality gate, or whose report is missing."""
    try:
        found = [Finding(**entry) for entry in json.loads((out_dir / QUALITY).read_text(encoding="utf-8"))]
    except FileNotFoundError:
        raise QualityError(
            f"not recorded: {shown} has no quality report ({QUALITY}), so the set cannot be shown to have passed the "
            "quality gate; build the leaflets again, then approve"
        ) from None
    except (OSError, ValueError, TypeError) as error:
        raise QualityError(f"not recorded: cannot read {shown}/{QUALITY} ({error}); build the leaflets again") from None
    failed = failures(found, strict=False)
    if failed:
        count = f"{len(failed)} problem{'s' if len(failed) != 1 else ''}"
        lines = [f"  {f.check} ({f.leaflet}): {f.message}" for f in failed[: PROBLEMS_SHOWN.value]]
        raise QualityError(
            "\n".join(
                [
                    f"not recorded: the last build in {shown} failed the quality gate ({count} in {QUALITY}); "
                    "fix them, build again, then approve:",
                    *lines,
                ]
            )
        )


def _show_in_gallery(
    out_dir: Path, manifest: dict[str, Any], record: dict[str, Any], descriptions: Mapping[str, str], title: str
) -> None:
    """Write the gallery again with the approval beside each leaflet (its thumbnails are already there)."""
    from leaflets.pipeline.gallery import write_gallery
    from leaflets.pipeline.plan import Output  # late: the build plan imports the whole pipeline

    outputs = [Output.from_entry(entry) for entry in manifest["files"]]
    sources = {output.file: out_dir / output.file for output in outputs}
    write_gallery(out_dir, outputs, descriptions, title, sources, approval=record)
