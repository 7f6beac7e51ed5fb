"""Reports a GNC lead signs: the run report (``fsw report RUN``) and the
campaign report (``fsw campaign``), self-contained HTML pages (plots
embedded as PNG data) rendered from jinja2 templates
(``fsw_tools/templates/*.html.j2``).

* :mod:`.sections` -- the numbers of each run-report section;
* :mod:`.render` -- the template environment, its filters, and the pages.
"""
