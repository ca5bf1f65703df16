# Installs the daemon as the Windows service "InvoiceLoader" with NSSM (https://nssm.cc).
# Run in an elevated PowerShell from the installation folder:
#   .\service\nssm\install.ps1 -Config C:\InvoiceLoader\config.yaml
param(
  [string]$Name = "InvoiceLoader",
  [string]$Config = "C:\InvoiceLoader\config.yaml",
  [string]$Node = (Get-Command node).Source,
  [string]$Nssm = "nssm"
)
$ErrorActionPreference = "Stop"
$AppDir = (Resolve-Path "$PSScriptRoot\..\..").Path

& $Nssm install $Name $Node "bin\invoice-loader.js" "run" "--config" $Config
& $Nssm set $Name AppDirectory $AppDir
& $Nssm set $Name Description "Supplier Invoice Loader: supplier invoices from mail, folder and HTTP into PostgreSQL and NEX Genesis"
& $Nssm set $Name Start SERVICE_AUTO_START
# Stop: Ctrl+C first (the daemon's ordered shutdown takes up to shutdown.timeoutMs = 20 s).
& $Nssm set $Name AppStopMethodConsole 25000
& $Nssm set $Name AppStopMethodWindow 5000
& $Nssm set $Name AppStopMethodThreads 5000
# Exit 1 = the root supervisor gave up: restart after a pause; throttle tight crash loops.
& $Nssm set $Name AppExit Default Restart
& $Nssm set $Name AppRestartDelay 5000
& $Nssm set $Name AppThrottle 10000
# The daemon writes its own rotating JSON logs (logging.dir); these only catch early failures.
& $Nssm set $Name AppStdout "$AppDir\logs\service-stdout.log"
& $Nssm set $Name AppStderr "$AppDir\logs\service-stderr.log"
& $Nssm set $Name AppRotateFiles 1
& $Nssm set $Name AppRotateBytes 10485760
Write-Host "Installed $Name. Start it with: nssm start $Name"
