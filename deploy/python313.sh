#!/bin/sh
# Prints a command that runs Python 3.13, the Lambda runtime's version (Chalice takes the
# runtime from the interpreter it runs on), or says on stderr what to install.
# Looked for in order: python3.13 on PATH, then pyenv's 3.13.x (newest first), whose shim
# answers only when PYENV_VERSION names one.
is_313() { [ "$("$@" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.13" ]; }

if is_313 python3.13; then
    echo python3.13
    exit 0
fi
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.13.* 2>/dev/null | sort -t. -k3 -n -r); do
    if is_313 "$dir/bin/python3.13"; then
        echo "$dir/bin/python3.13"
        exit 0
    fi
done
cat >&2 <<'MSG'
Shipyard needs Python 3.13 (the Lambda runtime it deploys to is python3.13) and found none:
not python3.13 on PATH, nor a pyenv version 3.13.x. Install one, e.g.
    apt-get install python3.13        (Debian 13 / Ubuntu 24.10 and later)
    pyenv install 3.13                (anywhere pyenv is)
or name it: make PYTHON=/path/to/python3.13
MSG
exit 1
