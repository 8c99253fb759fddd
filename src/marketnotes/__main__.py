from marketnotes.cli import main

main()
