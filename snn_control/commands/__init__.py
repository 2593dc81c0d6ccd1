"""One module per ``snn-control <verb> <target>``: ``add_arguments(parser)`` and ``run(args)``."""
