# Installs the Windows service InvoiceLoader with NSSM — rendered by
# `invoice-loader service install --manager nssm`; run in an elevated PowerShell.
$ErrorActionPreference = "Stop"
$Nssm = "nssm"
& $Nssm 'install' 'InvoiceLoader' 'C:\Program Files\nodejs\node.exe'
& $Nssm 'set' 'InvoiceLoader' 'AppParameters' 'C:\InvoiceLoader\bin\invoice-loader.js run --config C:\InvoiceLoader\config.yaml'
& $Nssm 'set' 'InvoiceLoader' 'AppDirectory' 'C:\InvoiceLoader'
& $Nssm 'set' 'InvoiceLoader' 'DisplayName' 'Supplier Invoice Loader'
& $Nssm 'set' 'InvoiceLoader' 'Description' 'Supplier Invoice Loader: supplier invoices from mail, folder and HTTP into PostgreSQL and NEX Genesis'
& $Nssm 'set' 'InvoiceLoader' 'Start' 'SERVICE_AUTO_START'
& $Nssm 'set' 'InvoiceLoader' 'AppNoConsole' '0'
& $Nssm 'set' 'InvoiceLoader' 'AppStopMethodSkip' '0'
& $Nssm 'set' 'InvoiceLoader' 'AppStopMethodConsole' '70000'
& $Nssm 'set' 'InvoiceLoader' 'AppStopMethodWindow' '5000'
& $Nssm 'set' 'InvoiceLoader' 'AppStopMethodThreads' '5000'
& $Nssm 'set' 'InvoiceLoader' 'AppKillProcessTree' '1'
& $Nssm 'set' 'InvoiceLoader' 'AppExit' 'Default' 'Restart'
& $Nssm 'set' 'InvoiceLoader' 'AppRestartDelay' '10000'
& $Nssm 'set' 'InvoiceLoader' 'AppThrottle' '30000'
& $Nssm 'set' 'InvoiceLoader' 'AppStdout' 'C:\InvoiceLoader\logs\service-stdout.log'
& $Nssm 'set' 'InvoiceLoader' 'AppStderr' 'C:\InvoiceLoader\logs\service-stderr.log'
& $Nssm 'set' 'InvoiceLoader' 'AppStdoutCreationDisposition' '4'
& $Nssm 'set' 'InvoiceLoader' 'AppStderrCreationDisposition' '4'
& $Nssm 'set' 'InvoiceLoader' 'AppRotateFiles' '1'
& $Nssm 'set' 'InvoiceLoader' 'AppRotateOnline' '1'
& $Nssm 'set' 'InvoiceLoader' 'AppRotateBytes' '10485760'
# Secrets (KEY=value lines) go to AppEnvironmentExtra, not the command line.
$Secrets = @(Get-Content -LiteralPath 'C:\InvoiceLoader\secrets.env' | Where-Object { $_ -match '^[A-Za-z_][A-Za-z0-9_]*=' })
if ($Secrets.Count) { & $Nssm set 'InvoiceLoader' AppEnvironmentExtra @Secrets }
Write-Host "Installed InvoiceLoader. Start it with: nssm start InvoiceLoader"
