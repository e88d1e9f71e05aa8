import DoseCommands

// Entry point only; the commands live in DoseCommands so they can be tested.
await DoseAuditMain.run()
