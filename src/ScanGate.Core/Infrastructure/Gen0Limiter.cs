namespace ScanGate.Infrastructure;

/// <summary>
/// Keeps the memory of a streaming loop flat. Every row is garbage almost at once, but the GC sizes its gen0 budget from
/// the CPU cache (260 MB of L3 on the build machine), so a streaming run would grow by ~100 MB before its first
/// collection; the budget can be set only by an environment variable, which a dotnet tool cannot set for itself.
/// Collecting gen0 after each <see cref="DefaultBudget"/> bytes allocated costs a few ms per collection (almost nothing
/// survives) and bounds the footprint. Call <see cref="Check"/> every few rows; it is cheap.
/// </summary>
internal sealed class Gen0Limiter(long budget = Gen0Limiter.DefaultBudget)
{
    internal const long DefaultBudget = 32L << 20;

    private readonly long _budget = budget;
    private long _allocatedAtLastCollection = GC.GetTotalAllocatedBytes();
    private int _gen0Collections = GC.CollectionCount(0);

    public void Check()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        if (collections != _gen0Collections)
        {
            // The GC collected on its own: start counting from here.
            _gen0Collections = collections;
            _allocatedAtLastCollection = allocated;
            return;
        }

        if (allocated - _allocatedAtLastCollection >= _budget)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: false);
            _gen0Collections = GC.CollectionCount(0);
            _allocatedAtLastCollection = allocated;
        }
    }
}
