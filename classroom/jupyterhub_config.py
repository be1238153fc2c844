"""JupyterHub for a class on one server (see docs/classroom.md).

Run it with ``jupyterhub -f classroom/jupyterhub_config.py`` from the hub's environment (jupyterhub, the proxy from
``classroom/package.json``, systemdspawner and jupyterhub-idle-culler installed), behind HTTPS. Learners log in
with their accounts on the server (JupyterHub's default PAM login) and open the course by its nbgitpuller links.

Settings, from the environment of the hub process:
    COURSE_MIRROR       the read-only classroom mirror (``python3 tasks.py mirror DIR``);
                        default /srv/convnets-course/mirror
    CLASSROOM_PYTHON    the course's environment (its bin/ holds jupyterhub-singleuser);
                        default /srv/convnets-course/.venv
"""

import os
import pwd
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

MIRROR = os.environ.get("COURSE_MIRROR", "/srv/convnets-course/mirror")
COURSE_ENV = Path(os.environ.get("CLASSROOM_PYTHON", "/srv/convnets-course/.venv"))
# nbgitpuller's target folder in each learner's home (tools/classroom/links.py makes the links for it).
COURSE_FOLDER = "convnets-course"
# Per learner, from the measurements in docs/classroom.md (python -m tools.classroom.sizing derives them).
MEMORY_GUARANTEE, MEMORY_LIMIT = "2G", "3.5G"
CPU_GUARANTEE, CPU_LIMIT = 0.5, 1.0
IDLE_MINUTES = 60


def learner_home(spawner) -> Path:
    """The learner's home: the spawner's own setting where it has one, else the system account's."""
    home = getattr(spawner, "home_dir", None)
    return Path(home) if home else Path(pwd.getpwnam(spawner.user.name).pw_dir)


c.JupyterHub.bind_url = "http://127.0.0.1:8000"  # a TLS front end (nginx, Caddy) forwards the class to it
c.ConfigurableHTTPProxy.command = [
    str(Path(__file__).resolve().parent / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"  # enforces the memory and CPU limits below
c.Spawner.cmd = [str(COURSE_ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.mem_guarantee, c.Spawner.mem_limit = MEMORY_GUARANTEE, MEMORY_LIMIT
c.Spawner.cpu_guarantee, c.Spawner.cpu_limit = CPU_GUARANTEE, CPU_LIMIT
c.SystemdSpawner.readonly_paths = [MIRROR]
c.Spawner.environment = {
    # One shared, read-only copy of the data; each learner's checked copies go to their own folder.
    "COURSE_MIRROR": MIRROR,
    "COURSE_DATA_DIR": lambda spawner: str(learner_home(spawner) / "course-data"),
    # The kernel imports `helpers` from the learner's own pulled copy, so the code matches the notebooks.
    "PYTHONPATH": lambda spawner: str(learner_home(spawner) / COURSE_FOLDER),
    "COURSE_THREADS": str(int(CPU_LIMIT)),
    "OMP_NUM_THREADS": str(int(CPU_LIMIT)),
}

# Stop servers idle for an hour (their learners' files stay): the memory goes back to the class.
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": ["python3", "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_MINUTES * 60}"],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
