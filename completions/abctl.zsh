#compdef abctl

_abctl_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _ABCTL_COMPLETE=complete_zsh abctl)
}

compdef _abctl_completion abctl
