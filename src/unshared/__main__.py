from unshared.cli import main

main()
