"""Tests of each cleaning rule for the scraped catalogs."""

from __future__ import annotations

import pytest

from advisor.ingest.cleaning import (
    HOURS_PER_WEEK,
    WEEKS_PER_MONTH,
    collapse_whitespace,
    complete_title_from_slug,
    duration_to_hours,
    is_learning_outcome,
    is_no_prerequisite,
    normalise_skill_text,
    parenthetical_parts,
    parse_count,
    parse_python_list,
    slugify,
    split_comma_list,
    split_program_names,
    split_run_together_words,
    strip_trailing_period,
    unique_in_order,
)


def test_whitespace_stray_spaces() -> None:
    assert collapse_whitespace("Board Infinity ") == "Board Infinity"
    assert collapse_whitespace("University of Manchester   ") == "University of Manchester"
    assert collapse_whitespace("Data  Science\xa0Basics") == "Data Science Basics"


def test_count_thousands_separator() -> None:
    assert parse_count("6,706") == 6706


def test_count_k_suffix() -> None:
    assert parse_count("39.2k") == 39200
    assert parse_count("2k") == 2000


def test_count_blank_is_unknown() -> None:
    assert parse_count("") is None


def test_count_rejects_text() -> None:
    with pytest.raises(ValueError):
        parse_count("many")


def test_python_list_literal() -> None:
    assert parse_python_list("['SQL', 'R Programming']") == ["SQL", "R Programming"]
    assert parse_python_list("[]") == []


def test_python_list_never_evaluates_code() -> None:
    with pytest.raises(ValueError):
        parse_python_list("__import__('os').getcwd()")


def test_comma_list() -> None:
    assert split_comma_list("Evolutionary Biology, Empathy,  Psychology,") == [
        "Evolutionary Biology",
        "Empathy",
        "Psychology",
    ]


def test_duplicates_removed_case_insensitively() -> None:
    assert unique_in_order(["RStudio", "Rstudio", "SQL"]) == ["RStudio", "SQL"]


def test_trailing_period_removed() -> None:
    assert strip_trailing_period("Allergy/asthma.") == "Allergy/asthma"


def test_learning_outcome_detected() -> None:
    assert is_learning_outcome("Devise a customized plan for optimizing your eating patterns")
    assert not is_learning_outcome("Data Visualization (DataViz)")


def test_duration_month_range_midpoint() -> None:
    assert duration_to_hours("3 - 6 Months") == round(4.5 * WEEKS_PER_MONTH * HOURS_PER_WEEK, 1)


def test_duration_week_range() -> None:
    assert duration_to_hours("1 - 4 Weeks") == 2.5 * HOURS_PER_WEEK


def test_duration_less_than() -> None:
    assert duration_to_hours("Less Than 2 Hours") == 2.0


def test_duration_unknown_format() -> None:
    assert duration_to_hours("self-paced") is None
    assert duration_to_hours("") is None


def test_no_prerequisite_texts() -> None:
    for text in ("None.", "Ninguno", "Ninguno.", "None enforced", "", "There are no prerequisites for this course."):
        assert is_no_prerequisite(text), text


def test_real_prerequisite_kept() -> None:
    assert not is_no_prerequisite("Basic algebra")


def test_run_together_title_split() -> None:
    slug = "harvard-university-cs50-s-introduction-to-computer-science"
    assert split_run_together_words("CS50's Introduction toComputer Science", slug) == (
        "CS50's Introduction to Computer Science"
    )


def test_run_together_lowercase_join() -> None:
    slug = "harvard-university-cs50-s-web-programming-with-python-and-javascript"
    assert split_run_together_words("CS50's Web Programmingwith Python andJavaScript", slug) == (
        "CS50's Web Programming with Python and JavaScript"
    )


def test_camel_case_name_kept() -> None:
    assert split_run_together_words("JavaScript Introduction", "w3cx-javascript-introduction") == "JavaScript Introduction"


def test_space_after_colon_added() -> None:
    assert split_run_together_words("Nutrition and Health:Human Microbiome", "x") == "Nutrition and Health: Human Microbiome"


def test_glued_connecting_word_split() -> None:
    assert split_run_together_words("Prompt Engineering andAdvanced ChatGPT", "x") == "Prompt Engineering and Advanced ChatGPT"


def test_truncated_title_completed() -> None:
    slug = "harvard-university-fundamentals-of-neuroscience-part-1-the-electrical-properties-of-the-neuron"
    title = "Fundamentals of Neuroscience, Part 1: The Electrical Properties of th…"
    assert complete_title_from_slug(title, slug) == (
        "Fundamentals of Neuroscience, Part 1: The Electrical Properties of the Neuron"
    )


def test_truncated_title_without_slug_match() -> None:
    assert complete_title_from_slug("Environmental DNA: Sensing…", "edna-01x") == "Environmental DNA: Sensing…"


def test_program_names_split() -> None:
    text = "Professional CertificateinData  ScienceXSeries inAstrophysicsMicroMasters®Program inUX Design"
    assert split_program_names(text) == [
        ("Professional Certificate", "Data Science"),
        ("XSeries", "Astrophysics"),
        ("MicroMasters Program", "UX Design"),
    ]


def test_skill_text_normalised() -> None:
    assert normalise_skill_text("React (Web Framework)") == "react"
    assert normalise_skill_text("Probability & Statistics") == "probability and statistics"
    assert normalise_skill_text("C++") == "c++"
    assert normalise_skill_text(".NET") == ".net"


def test_parenthetical_parts() -> None:
    assert parenthetical_parts("Artificial Intelligence (AI)") == ["AI"]


def test_slug_keeps_symbols_apart() -> None:
    assert slugify("C++") == "c-plus-plus"
    assert slugify("C#") == "c-sharp"
    assert slugify("C") == "c"
