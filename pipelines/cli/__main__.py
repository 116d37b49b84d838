from pipelines.cli.commands import main

main()
