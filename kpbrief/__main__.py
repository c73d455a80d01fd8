from kpbrief.cli import main

raise SystemExit(main())
