using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project bench/ScanGate.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
