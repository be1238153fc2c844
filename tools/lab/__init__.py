"""What the course's JupyterLab starts with (``python tasks.py lab``), beside the learner's own configuration.

- ``settings/``: the application settings (``--LabApp.app_settings_dir``): ``overrides.json`` turns off the news
  pop-up and the update check, ``page_config.json`` turns off ``@jupyterlab/mathjax3-extension`` (written for
  JupyterLab 3; JupyterLab 4 typesets formulas itself), in case an older install still has it;
- ``labextensions/convnets-course-lab/``: a style-only extension (``--LabApp.extra_labextensions_path``) that sets
  Persian cells right to left and right-aligned. Its ``static/persian.css`` is also the Persian stylesheet of the
  slides and handouts (:mod:`tools.slides.templates`), so the notebook, the deck and the PDF align them alike.

Learners' own settings (``~/.jupyter``) still apply on top of these.
"""
