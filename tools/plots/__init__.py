"""Plots and the run report: series from a run's packets (:mod:`.series`),
matplotlib figures (:mod:`.figures`), PNG files and the HTML report
(:mod:`.run`)."""
