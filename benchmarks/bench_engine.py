"""Measure engine latency (profile + gap + plan, knowledge base already loaded) on synthetic catalogs.

Run: python benchmarks/bench_engine.py [--runs N] [--sizes 1000 10000] [--no-shipped]

Each synthetic catalog has 14,000 skills and 50 occupations of 30 required skills. Credentials
teach 3 to 8 skills drawn from 2,000 popular ones. About one in seven needs a prerequisite
credential and one in ten a prerequisite skill, and every fiftieth is a larger credential of
three parts. Every run plans for a random learner (a few self-reported skills) and a random
occupation. It prints p50 and p95 per size; the first run of each size, which builds the
cached lookup tables, is reported apart.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date
from pathlib import Path

from advisor.domain import (
    Constraints,
    Credential,
    Goal,
    GoalKind,
    KnowledgeBase,
    LearnerRecord,
    Occupation,
    RequiredSkill,
    SelfReportedSkill,
    Skill,
    SkillLevel,
)
from advisor.engine import advise

SKILL_COUNT = 14_000
OCCUPATION_COUNT = 50


def synthetic_catalog(size: int, seed: int = 7) -> KnowledgeBase:
    """Build a random catalog of ``size`` credentials over a 14k-skill taxonomy."""
    rng = random.Random(seed)
    skills = [Skill(id=f"s{index}", label=f"skill number {index}", framework="esco") for index in range(SKILL_COUNT)]
    # Skills are drawn from a skewed pool so that popular skills have many teachers, as in real catalogs.
    popular = [f"s{index}" for index in range(2000)]
    credentials = []
    for index in range(size):
        taught = rng.sample(popular, rng.randint(3, 8))
        credential = Credential(
            id=f"c{index}",
            title=f"Credential {index}",
            skills=[SkillLevel(skill_id=item, level=rng.randint(1, 3)) for item in taught],
            hours=rng.choice([None, rng.randint(5, 120)]),
            cost=rng.choice([None, float(rng.randint(0, 500))]),
            currency="USD",
        )
        if index > 10 and rng.random() < 0.15:
            credential.prerequisite_credentials = [f"c{rng.randrange(index)}"]
        if rng.random() < 0.1:
            credential.prerequisite_skills = [SkillLevel(skill_id=rng.choice(popular), level=1)]
        credentials.append(credential)
    for index in range(0, size - 5, 50):
        parent = credentials[index]
        parent.has_part = [f"c{index + offset}" for offset in range(1, 4)]

    occupations = [
        Occupation(
            id=f"o{index}",
            title=f"occupation {index}",
            framework="esco",
            required_skills=[
                RequiredSkill(skill_id=item, level=rng.randint(1, 3), importance=rng.choice([0.5, 1.0]))
                for item in rng.sample(popular, 30)
            ],
        )
        for index in range(OCCUPATION_COUNT)
    ]
    return KnowledgeBase.from_items(credentials, skills, occupations)


def random_learner(kb: KnowledgeBase, rng: random.Random) -> LearnerRecord:
    """Return a learner with a few self-reported skills."""
    skills = rng.sample(sorted(kb.skills.values(), key=lambda item: item.id)[:2000], 5)
    return LearnerRecord(
        learner_id="bench",
        self_reported_skills=[
            SelfReportedSkill(id=f"r{index}", name=item.label, level=rng.randint(1, 3))
            for index, item in enumerate(skills)
        ],
    )


def measure(kb: KnowledgeBase, goals: list[str], runs: int, seed: int = 11) -> tuple[float, list[float], int]:
    """Return (first run in ms, later runs in ms, later runs whose plan CP-SAT proved optimal)."""
    rng = random.Random(seed)
    timings = []
    optimal = 0
    for run_index in range(runs + 1):
        record = random_learner(kb, rng)
        goal = Goal(kind=GoalKind.OCCUPATION, occupation=rng.choice(goals))
        constraints = Constraints(hours_per_week=10, max_credentials=rng.choice([None, 6]))
        started = time.perf_counter()
        advice = advise(kb, record, goal, constraints, today=date(2026, 1, 5))
        timings.append((time.perf_counter() - started) * 1000)
        optimal += run_index > 0 and advice.pathway.optimal
    return timings[0], timings[1:], optimal


def report(name: str, first: float, timings: list[float], optimal: int) -> None:
    """Print p50 and p95 of a size, and how many plans were proven optimal."""
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"{name:>12}: first {first:8.1f} ms   p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)}, optimal {optimal})")
    print("BENCH_JSON " + json.dumps({
        "benchmark": "engine", "catalog": name.strip(), "first_ms": round(first, 1),
        "p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1), "runs": len(ordered),
        "optimal": optimal,
    }))


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-shipped", action="store_true", help="Skip the shipped knowledge base.")
    arguments = parser.parse_args()

    results = {}
    for size in arguments.sizes:
        kb = synthetic_catalog(size)
        first, timings, optimal = measure(kb, sorted(kb.occupations), arguments.runs)
        report(f"{size} creds", first, timings, optimal)
        results[size] = statistics.median(timings)
    if len(results) > 1:
        sizes = sorted(results)
        print(f"p50 grows {results[sizes[-1]] / results[sizes[0]]:.1f}x from {sizes[0]} to {sizes[-1]} credentials")

    shipped = Path(__file__).resolve().parents[1] / "knowledge_base"
    if not arguments.no_shipped and (shipped / "credentials.jsonl").is_file():
        from advisor.ingest.knowledge_base import load_knowledge_base

        kb, _reports = load_knowledge_base(shipped)
        goals = ["data scientist", "software developer", "web developer", "database administrator",
                 "ICT help desk agent", "accountant", "Registered Nurses", "graphic designer"]
        first, timings, optimal = measure(kb, goals, arguments.runs)
        report("shipped", first, timings, optimal)


if __name__ == "__main__":
    main()
