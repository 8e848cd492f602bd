"""Measure how well the catalog's skills reach the skills that common occupations require.

Usage: python knowledge_base/coverage.py [--knowledge-base DIR] [--source PATH/TO/data]

Prints the mapping table: the share of catalog skill names, and of their uses, per mapping rule.
Then prints, for a fixed list of common target occupations in their ESCO and O*NET versions,
the share of required and of essential skills that at least one credential teaches. With --source the
uses are counted on the raw catalog, as the build counts them. Without it they are counted on
the credentials, where a name whose skill another name of the same credential already gives is
not counted.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from advisor.domain import KnowledgeBase, Occupation
from advisor.ingest.knowledge_base import load_knowledge_base
from advisor.ingest.skill_mapping import RULE_ORDER

KNOWLEDGE_BASE_DIR = Path(__file__).resolve().parent
MAPPINGS_FILE = "skill_mappings.csv"

# Target occupations: (name, ESCO occupation id, O*NET occupation id). Where ESCO or O*NET
# has no occupation of that name, the closest one is used and named in the printed table.
TARGETS = (
    ("data analyst", "esco:occupation:d3edb8f8-3a06-47a0-8fb9-9b212c006aa2", "onet:occupation:15-2051.01"),
    ("data scientist", "esco:occupation:258e46f9-0075-4a2e-adae-1ff0477e0f30", "onet:occupation:15-2051.00"),
    ("software developer", "esco:occupation:f2b15a0e-e65a-438a-affb-29b9d50b77d1", "onet:occupation:15-1252.00"),
    ("web developer", "esco:occupation:c40a2919-48a9-40ea-b506-1f34f693496d", "onet:occupation:15-1254.00"),
    ("database administrator", "esco:occupation:8c57af09-719c-42b3-be40-6ed4946236cc", "onet:occupation:15-1242.00"),
    ("IT support", "esco:occupation:aaeec9a7-dc57-4485-890c-86b3eef735f9", "onet:occupation:15-1232.00"),
    ("cybersecurity analyst", "esco:occupation:0464b062-cea6-4164-b10d-956c61956ae7", "onet:occupation:15-1212.00"),
    ("project manager", "esco:occupation:bea99fea-0383-4c63-b944-70d4799de2c5", "onet:occupation:13-1082.00"),
    ("accountant", "esco:occupation:eda0d957-3c3c-4139-b89a-a18bc9e18897", "onet:occupation:13-2011.00"),
    ("bookkeeper", "esco:occupation:c3aae59e-1441-4b3e-bdd1-6da50dc7cf42", "onet:occupation:43-3031.00"),
    ("nurse", "esco:occupation:8d3e8aaa-791b-4c75-a465-f3f827028f50", "onet:occupation:29-1141.00"),
    ("nursing assistant", "esco:occupation:87d0795a-d41f-47ee-979f-0ab7d73836e7", "onet:occupation:31-1131.00"),
    ("marketing specialist", "esco:occupation:6fcf4638-e7c7-4978-9302-9a7b63a3d57c", "onet:occupation:13-1161.00"),
    ("UX designer", "esco:occupation:faed411a-f920-4100-86a8-b877928b429c", "onet:occupation:15-1255.00"),
    ("business analyst", "esco:occupation:60082a99-d8ef-4e84-9290-78902681b6ed", "onet:occupation:13-1111.00"),
    ("machine learning engineer", "esco:occupation:1c5a45b9-440e-4726-b565-16a952abd341", "onet:occupation:15-1221.00"),
    ("cloud engineer", "esco:occupation:349ee6f6-c295-4c38-9b98-48765b55280e", "onet:occupation:15-1299.08"),
    ("teacher", "esco:occupation:5efb2c08-ba3a-4659-a2e4-1883f54e77b6", "onet:occupation:25-2031.00"),
    ("HR specialist", "esco:occupation:d3e32e5e-7f24-48e3-b939-e4f800eb62fb", "onet:occupation:13-1071.00"),
    ("sales representative", "esco:occupation:14031d4a-6e99-442f-b4fe-18262b6432b2", "onet:occupation:41-4012.00"),
    ("graphic designer", "esco:occupation:69bcbb0a-8d80-4ecd-b0a4-9adea2a40de2", "onet:occupation:27-1024.00"),
    ("supply chain manager", "esco:occupation:aacc3918-b5d3-484b-9480-5d29aa550d74", "onet:occupation:11-3071.04"),
)


@dataclass(frozen=True)
class Coverage:
    """Counts of required and essential skills of one occupation, and how many some credential teaches."""

    required: int
    required_taught: int
    essential: int
    essential_taught: int


def main() -> int:
    """Parse the options, load the knowledge base and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge-base", type=Path, default=KNOWLEDGE_BASE_DIR, help="Knowledge base folder to measure.")
    parser.add_argument("--source", type=Path, help="Folder of the public raw data, to count skill name uses as the build does.")
    options = parser.parse_args()

    knowledge_base, _ = load_knowledge_base(options.knowledge_base)
    rules = read_name_rules(options.knowledge_base / MAPPINGS_FILE)
    uses = count_raw_uses(options.source) if options.source else count_credential_uses(knowledge_base)
    print_mapping_table(rules, uses)
    print()
    print_occupation_table(knowledge_base)
    return 0


def read_name_rules(path: Path) -> dict[str, str]:
    """Return each catalog skill name with the first rule (in build order) that mapped it."""
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["source_label"], set()).add(row["rule"])
    return {name: min(rules, key=rule_rank) for name, rules in found.items()}


def rule_rank(rule: str) -> int:
    """Return a rule's position in the build order; unknown rules sort last."""
    return RULE_ORDER.index(rule) if rule in RULE_ORDER else len(RULE_ORDER)


def count_raw_uses(source: Path) -> Counter[str]:
    """Count the uses of each skill name in the raw Coursera and edX catalogs."""
    from advisor.ingest.coursera import import_coursera
    from advisor.ingest.edx import import_edx

    uses: Counter[str] = Counter()
    for result in (
        import_coursera(source / "coursera_catalog" / "coursera_courses.csv"),
        import_edx(source / "edx_catalog" / "edx_courses.csv"),
    ):
        uses.update(skill.source_label for credential in result.items for skill in credential.skills if skill.source_label)
    return uses


def count_credential_uses(knowledge_base: KnowledgeBase) -> Counter[str]:
    """Count, for each skill name, the credentials that list it."""
    uses: Counter[str] = Counter()
    for credential in knowledge_base.credentials.values():
        uses.update({skill.source_label for skill in credential.skills if skill.source_label})
    return uses


def print_mapping_table(rules: dict[str, str], uses: Counter[str]) -> None:
    """Print the share of distinct skill names and of their uses mapped by each rule."""
    distinct = Counter(rules.get(name, "new") for name in uses)
    weighted: Counter[str] = Counter()
    for name, count in uses.items():
        weighted[rules.get(name, "new")] += count

    total_names, total_uses = len(uses), sum(uses.values())
    print(f"catalog skill names: {total_names} distinct, {total_uses} uses")
    for rule in sorted(distinct, key=rule_rank):
        print(
            f"  {rule:17} {distinct[rule]:5} names ({distinct[rule] / total_names:6.1%})"
            f" {weighted[rule]:6} uses ({weighted[rule] / total_uses:6.1%})"
        )


def print_occupation_table(knowledge_base: KnowledgeBase) -> None:
    """Print, for each target occupation, the required and essential skills some credential teaches."""
    taught = {skill.skill_id for credential in knowledge_base.credentials.values() for skill in credential.skills}
    totals = {"esco": [0, 0, 0, 0], "onet": [0, 0, 0, 0]}
    print(f"{'target':26} {'ESCO required':>14} {'essential':>10} {'O*NET required':>15} {'essential':>10}  occupations")
    for name, esco_id, onet_id in TARGETS:
        cells, titles = [], []
        for framework, occupation_id in (("esco", esco_id), ("onet", onet_id)):
            occupation = knowledge_base.occupations.get(occupation_id)
            coverage = measure(occupation, taught) if occupation else Coverage(0, 0, 0, 0)
            cells.append(f"{format_share(coverage.required_taught, coverage.required):>14} {format_share(coverage.essential_taught, coverage.essential):>10}")
            titles.append(occupation.title if occupation else f"{occupation_id} missing")
            for index, value in enumerate((coverage.required, coverage.required_taught, coverage.essential, coverage.essential_taught)):
                totals[framework][index] += value
        print(f"{name:26} {cells[0]} {cells[1]:>26}  {' | '.join(titles)}")

    esco, onet = totals["esco"], totals["onet"]
    print(
        f"{'all targets':26} {format_share(esco[1], esco[0]):>14} {format_share(esco[3], esco[2]):>10}"
        f" {format_share(onet[1], onet[0]):>15} {format_share(onet[3], onet[2]):>10}"
    )


def measure(occupation: Occupation, taught: set[str]) -> Coverage:
    """Count an occupation's required and essential skills and those in the taught set."""
    required = [skill.skill_id for skill in occupation.required_skills]
    essential = [skill.skill_id for skill in occupation.required_skills if skill.essential]
    return Coverage(
        required=len(required),
        required_taught=sum(skill_id in taught for skill_id in required),
        essential=len(essential),
        essential_taught=sum(skill_id in taught for skill_id in essential),
    )


def format_share(part: int, whole: int) -> str:
    """Format a count as 'part/whole (percent)'."""
    if whole == 0:
        return "-"
    return f"{part}/{whole} {part / whole:4.0%}"


if __name__ == "__main__":
    sys.exit(main())
