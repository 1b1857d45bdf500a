"""Builds the syndic package: the C extension syndic._syndic over libsyndic.

The library is linked statically: `make python` at the top of the checkout
builds build/libsyndic.a first and passes its path and the libraries it
needs (pkg-config) in SYNDIC_LIB and SYNDIC_LIBS; run alone, this script
looks for ../build/libsyndic.a and asks pkg-config itself.
"""
import os
import shlex
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PKGS = "libutf8proc libxxhash libzstd zlib jansson libxml-2.0 uchardet"


def pkg_libs():
    if os.environ.get("SYNDIC_LIBS"):
        return shlex.split(os.environ["SYNDIC_LIBS"])
    out = subprocess.run(["pkg-config", "--libs"] + PKGS.split(), check=True,
                         capture_output=True, text=True).stdout
    return shlex.split(out)


lib = os.environ.get("SYNDIC_LIB", os.path.join(ROOT, "build", "libsyndic.a"))
if not os.path.exists(lib):
    raise SystemExit("setup.py: %s is missing: run `make python` at the top of the "
                     "checkout (it builds the library first)" % lib)

ext = Extension(
    "syndic._syndic",
    sources=["syndic/_syndic.c"],
    include_dirs=[os.path.join(ROOT, "include")],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
    extra_objects=[lib],
    # rebuilt when the library or its header changes, not only the source
    depends=[lib, os.path.join(ROOT, "include", "syndic.h")],
    extra_link_args=pkg_libs() + ["-pthread", "-lm"],
)

setup(
    name="syndic",
    version="0.1.0",
    description="Find the same text wherever it was printed: near-duplicates, shared "
    "passages, syndicated stories (Python binding of libsyndic)",
    packages=["syndic"],
    package_data={"syndic": ["__init__.pyi", "py.typed"]},
    ext_modules=[ext],
    python_requires=">=3.9",
)
