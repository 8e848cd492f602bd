"""advisor: plans and explains pathways of stackable credentials toward a learner's goal."""

__version__ = "0.1.0"
