"""Offline stand-in for the pip bootstrap script ansible-test downloads (get-pip.py).

ansible-test runs it inside a fresh virtual environment with pip's own options and the pinned
pip requirement (e.g. `pip==24.2 --no-setuptools --no-wheel`). Here pip comes from the Python
standard library (ensurepip) and is then brought to the requested version from the package
index, which is what the downloaded script does too.
"""

import subprocess
import sys

# get-pip.py options that `pip install` does not know.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main() -> None:
    subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True)
    arguments = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, "-m", "pip", "install", *arguments], check=True)


if __name__ == "__main__":
    main()
