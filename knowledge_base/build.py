"""Rebuild every shipped knowledge base file from the public raw data.

Usage: python knowledge_base/build.py --source PATH/TO/data [--no-embedding] [--cache-dir DIR | --no-cache]

Reads the Coursera and edX catalog scrapes, ESCO v1.1.1 and O*NET, maps the catalogs' skill
names onto ESCO and O*NET skills, derives prerequisites, and writes credentials.jsonl,
skills.jsonl, occupations.jsonl and skill_mappings.csv beside this script. Prints counts,
mapping coverage per rule and file sizes. Label embeddings are kept in a cache folder outside
the repository, so a rebuild from an unchanged source encodes nothing.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections import Counter
from pathlib import Path

from advisor.domain import Credential, Occupation, Skill
from advisor.ingest.coursera import import_coursera
from advisor.ingest.derivation import derive_prerequisites, find_cycle
from advisor.ingest.edx import import_edx
from advisor.ingest.esco import import_esco_occupations, import_esco_skills
from advisor.ingest.knowledge_base import (
    CREDENTIALS_FILE,
    OCCUPATIONS_FILE,
    SKILLS_FILE,
    load_knowledge_base,
    write_jsonl,
)
from advisor.ingest.onet import import_onet_occupations, import_onet_skills, import_onet_technology
from advisor.ingest.reverse_mapping import match_reverse, required_skills
from advisor.ingest.skill_mapping import RULE_ORDER, SkillMapper, SkillMatch, add_matches, apply_mapping, catalog_skills
from advisor.ingest.skill_synonyms import read_synonyms

logger = logging.getLogger("knowledge_base.build")

OUTPUT_DIR = Path(__file__).resolve().parent
MAPPINGS_FILE = "skill_mappings.csv"
SYNONYMS_FILE = OUTPUT_DIR / "skill_synonyms.csv"
# Source text kept by the importers for derivations but not shipped, because it is prose.
UNSHIPPED_FIELDS = ("prerequisites_text", "program_names")
CHECK_OCCUPATIONS = (
    "esco:occupation:258e46f9-0075-4a2e-adae-1ff0477e0f30",
    "esco:occupation:f2b15a0e-e65a-438a-affb-29b9d50b77d1",
    "onet:occupation:15-2051.00",
    "onet:occupation:15-1252.00",
)


def main() -> int:
    """Parse the options, build the files and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="Folder of the public raw data.")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="Folder to write the files to.")
    parser.add_argument("--no-embedding", action="store_true", help="Skip the embedding rules of the skill mapping.")
    parser.add_argument("--cache-dir", type=Path, help="Folder of the label embedding cache (default: ADVISOR_CACHE_DIR or ~/.cache/advisor).")
    parser.add_argument("--no-cache", action="store_true", help="Encode every label again and write no cache.")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    started = time.perf_counter()
    skills = read_taxonomy(options.source)
    credentials = read_catalog(options.source)
    occupations = read_occupations(options.source)
    encoder = None if options.no_embedding else make_encoder(options.cache_dir, use_cache=not options.no_cache)
    mapping = map_skills(credentials, skills, occupations, encoder)
    apply_mapping(credentials, mapping)
    skills.extend(catalog_skills(credentials))
    print_derivations(derive_prerequisites(credentials))

    for credential in credentials:
        for name in UNSHIPPED_FIELDS:
            (credential.model_extra or {}).pop(name, None)

    write_files(options.output, credentials, skills, occupations, mapping)
    print(f"build time: {time.perf_counter() - started:.1f} s")
    check_output(options.output)
    return 0


def read_taxonomy(source: Path) -> list[Skill]:
    """Read ESCO skills and groups, the O*NET skills and every O*NET technology example."""
    skills: list[Skill] = []
    for result in (
        import_esco_skills(source / "esco_v1.1.1"),
        import_onet_skills(source / "onet" / "skills_onet26_im_lv.csv"),
        import_onet_technology(source / "onet" / "technology_skills.txt"),
    ):
        print_report(result.report)
        skills.extend(result.items)
    return skills


def read_catalog(source: Path) -> list[Credential]:
    """Read the Coursera and edX catalogs."""
    credentials: list[Credential] = []
    for result in (
        import_coursera(source / "coursera_catalog" / "coursera_courses.csv"),
        import_edx(source / "edx_catalog" / "edx_courses.csv"),
    ):
        print_report(result.report)
        credentials.extend(result.items)
    print(f"credentials: {len(credentials)} {dict(Counter(c.kind.value for c in credentials))}")
    return credentials


def read_occupations(source: Path) -> list:
    """Read ESCO and O*NET occupations."""
    occupations = []
    for result in (import_esco_occupations(source / "esco_v1.1.1"), import_onet_occupations(source / "onet")):
        print_report(result.report)
        occupations.extend(result.items)
    return occupations


def make_encoder(cache_dir: Path | None, use_cache: bool):
    """Return the MiniLM encoder, wrapped in the embedding cache unless use_cache is false."""
    from advisor.ingest.embedding import EmbeddingCache, MiniLMEncoder, default_cache_dir

    encoder = MiniLMEncoder()
    if not use_cache:
        return encoder
    return EmbeddingCache(encoder, cache_dir or default_cache_dir())


def map_skills(
    credentials: list[Credential], skills: list[Skill], occupations: list[Occupation], encoder
) -> dict[str, list[SkillMatch]]:
    """Map every distinct skill name of the catalog in both directions and print coverage per rule."""
    mapper = SkillMapper(skills, encoder=encoder, synonyms=read_synonyms(SYNONYMS_FILE))
    names = [skill.source_label for credential in credentials for skill in credential.skills if skill.source_label]
    mapping = mapper.map_names(names)

    if encoder is not None:
        by_id = {skill.id: skill for skill in skills}
        reverse = match_reverse(list(mapping), required_skills(occupations, by_id), encoder)
        for name, matches in reverse.items():
            add_matches(mapping[name], matches)
    if hasattr(encoder, "save"):
        encoder.save()

    print_mapping_coverage(mapping, names)
    return mapping


def print_mapping_coverage(mapping: dict[str, list[SkillMatch]], names: list[str]) -> None:
    """Print the distinct names and uses mapped by each rule; a name counts under its first rule."""
    first_rule = {name: min((match.rule for match in matches), key=RULE_ORDER.index) if matches else "new" for name, matches in mapping.items()}
    distinct = Counter(first_rule.values())
    uses = Counter(first_rule[name] for name in names)
    print(f"skill names: {len(mapping)} distinct, {len(names)} uses")
    for rule in RULE_ORDER:
        print(
            f"  {rule:17} {distinct[rule]:5} distinct ({distinct[rule] / max(len(mapping), 1):.1%}), "
            f"{uses[rule]:6} uses ({uses[rule] / max(len(names), 1):.1%})"
        )


def write_files(output: Path, credentials, skills, occupations, mapping) -> None:
    """Write the three JSON Lines files and the mapping table, sorted by id, and print sizes."""
    output.mkdir(parents=True, exist_ok=True)
    unique_skills = {skill.id: skill for skill in skills}
    write_jsonl(output / CREDENTIALS_FILE, sorted(credentials, key=lambda item: item.id))
    write_jsonl(output / SKILLS_FILE, sorted(unique_skills.values(), key=lambda item: item.id))
    write_jsonl(output / OCCUPATIONS_FILE, sorted(occupations, key=lambda item: item.id))
    write_mapping_table(output / MAPPINGS_FILE, mapping)

    total = 0
    for name in (CREDENTIALS_FILE, SKILLS_FILE, OCCUPATIONS_FILE, MAPPINGS_FILE):
        size = (output / name).stat().st_size
        total += size
        print(f"{name}: {size / 1e6:.2f} MB")
    print(f"total: {total / 1e6:.2f} MB")


def write_mapping_table(path: Path, mapping: dict[str, list[SkillMatch]]) -> None:
    """Write one row per (skill name, taxonomy skill) with the rule and score."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source_label", "skill_id", "skill_label", "rule", "score"])
        for name in sorted(mapping):
            for match in mapping[name] or []:
                writer.writerow([name, match.skill_id, match.label, match.rule, match.score])


def check_output(output: Path) -> None:
    """Load the written folder back, time it, and check ids, cycles and sample occupations."""
    started = time.perf_counter()
    knowledge_base, reports = load_knowledge_base(output)
    print(f"load_knowledge_base: {time.perf_counter() - started:.2f} s")
    for report in reports:
        print(f"  {Path(report.source).name}: {report.accepted} accepted, {len(report.rejected)} rejected, {len(report.warnings)} warnings")
    cycle = find_cycle(knowledge_base.credentials)
    print(f"prerequisite cycle: {cycle or 'none'}")

    taught = {skill.skill_id for credential in knowledge_base.credentials.values() for skill in credential.skills}
    for occupation_id in CHECK_OCCUPATIONS:
        occupation = knowledge_base.occupations.get(occupation_id)
        if occupation is None:
            continue
        required = [skill.skill_id for skill in occupation.required_skills]
        essential = [skill.skill_id for skill in occupation.required_skills if skill.essential]
        print(
            f"  {occupation.title!r}: {sum(s in taught for s in required)}/{len(required)} required and "
            f"{sum(s in taught for s in essential)}/{len(essential)} essential skills taught by some credential"
        )


def print_report(report) -> None:
    """Print one import report's counts and its first rejections."""
    print(f"{Path(report.source).name}: {report.accepted} accepted, {len(report.rejected)} rejected, {len(report.warnings)} warnings")
    for rejection in report.rejected[:3]:
        print(f"  rejected {rejection}")


def print_derivations(counts: dict[str, int]) -> None:
    """Print the number of prerequisite edges each rule added."""
    for rule, count in counts.items():
        print(f"derived prerequisites ({rule}): {count}")


if __name__ == "__main__":
    sys.exit(main())
