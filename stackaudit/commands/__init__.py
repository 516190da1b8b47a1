"""Commands of the ``stackaudit`` command line that live in modules of their own."""
