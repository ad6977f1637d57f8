from kinerja_research.cli import main

if __name__ == "__main__":  # `python -m kinerja_research`; importing the module (e.g. to document it) runs nothing
    main()
