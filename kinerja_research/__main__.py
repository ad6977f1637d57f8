from kinerja_research.cli import main

main()
