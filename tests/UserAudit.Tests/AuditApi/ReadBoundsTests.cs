using System.Net;
using System.Text.Json;
using AuditService.Api;
using AuditService.Store;
using AuditService.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>
/// The read side's bounds: a page of large events ends at its byte budget with a cursor to the rest
/// (list, export, stream and conflicts alike, on SQLite and on PostgreSQL, where the server cuts the
/// page short too), and requests beyond the concurrency limits get 503
/// ProblemDetails with <c>Retry-After</c> instead of memory and cores taken from ingestion.
/// </summary>
public sealed class ReadBoundsTests(TestPostgres postgres)
{
    private const int LargeData = 200_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_page_of_large_events_ends_at_its_byte_budget_and_the_cursor_reaches_the_rest(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var stored = await StoreLargeEventsAsync(store, 5);
        var query = new AuditQuery(Limit: 50, MaxBytes: 500_000);

        var pages = new List<StorePage<StoredAuditEvent>>();
        long? before = null;
        do
        {
            pages.Add(await store.Store.QueryAsync(query with { Before = before }, Ct));
            before = pages[^1].Items[^1].Sequence;
        }
        while (pages[^1].More);

        // 200 KB each: two fit in 500 KB, a third does not.
        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(stored.AsEnumerable().Reverse(), pages.SelectMany(p => p.Items).Select(e => e.Record.Id));
        Assert.Equal(stored.AsEnumerable().Reverse(), await store.Store.ReadAllAsync(query, Ct).Select(e => e.Record.Id).ToListAsync(Ct));
        var oldestFirst = await store.Store.ReadAfterAsync(query, 0, long.MaxValue, Ct);
        Assert.Equal(stored[..2], oldestFirst.Items.Select(e => e.Record.Id));
        Assert.True(oldestFirst.More);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task An_event_larger_than_the_budget_is_a_page_of_its_own_and_a_row_limit_still_applies(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var stored = await StoreLargeEventsAsync(store, 2);
        await store.Store.InsertAsync([store.Record("small-1"), store.Record("small-2"), store.Record("small-3")], Ct);

        var large = await store.Store.QueryAsync(new AuditQuery(Limit: 50, MaxBytes: 64 * 1024, Before: 3), Ct);
        var small = await store.Store.QueryAsync(new AuditQuery(Limit: 2, MaxBytes: 64 * 1024), Ct);
        var all = await store.Store.QueryAsync(new AuditQuery(Limit: 5), Ct);

        Assert.Equal([stored[1]], large.Items.Select(e => e.Record.Id));
        Assert.True(large.More);
        Assert.Equal(["small-3", "small-2"], small.Items.Select(e => e.Record.Id));
        Assert.True(small.More);
        Assert.Equal((5, false), (all.Items.Count, all.More));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_stream_whose_pages_end_at_the_byte_budget_sends_every_event_in_order(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var stored = await StoreLargeEventsAsync(store, 5);
        await store.Store.InsertAsync([store.Record("small-after")], Ct);
        var feed = new AuditEventFeed(store.Store, new AuditEventSignal(), Options.Create(new StreamOptions()),
            Options.Create(new ReadOptions { MaxPageBytes = 300_000 }));

        // From position 0: the backlog of six events, read in pages of one large event each. A feed that
        // skipped events would wait for more: the deadline turns that into a failure.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Eventually.DefaultTimeout);
        var sent = await feed.ReadAsync(new AuditQuery(), 0, _ => Task.CompletedTask, deadline.Token).Take(6).ToListAsync(deadline.Token);

        Assert.Equal([.. stored, "small-after"], sent.Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("id").GetString()));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], sent.Select(e => e.EventId));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Conflicting_copies_are_paged_by_the_same_budget(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var originals = await StoreLargeEventsAsync(store, 3);
        var padding = new string('y', LargeData);
        await store.Store.InsertAsync([.. originals.Select(id => store.Record(id, $$"""{"padding":"{{padding}}"}"""))], Ct);

        var first = await store.Store.ListConflictsAsync(null, null, 50, 500_000, Ct);
        var rest = await store.Store.ListConflictsAsync(null, first.Items[^1].Number, 50, 500_000, Ct);

        Assert.Equal((2, true), (first.Items.Count, first.More));
        Assert.Equal((1, false), (rest.Items.Count, rest.More));
        Assert.Equal(originals.Order(), first.Items.Concat(rest.Items).Select(c => c.Id).Order());
    }

    [Fact]
    public async Task An_export_beyond_the_slots_is_refused_at_once_with_a_503_to_retry()
    {
        await using var app = await StartAsync(("Read:MaxConcurrentExports", "1"));
        using var client = app.App.GetTestClient();

        var held = client.GetAsync("/export", Ct);
        await app.Entered.Task.WaitAsync(Ct);
        using var refused = await client.GetAsync("/export", Ct);
        app.Release.SetResult();
        using var first = await held;
        using var after = await client.GetAsync("/export", Ct);

        await AssertRefusedAsync(refused, 5, "Too many exports");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, after.StatusCode));
    }

    [Fact]
    public async Task Short_reads_beyond_the_limit_wait_in_the_queue_and_beyond_the_queue_get_a_503_to_retry()
    {
        await using var app = await StartAsync(("Read:MaxConcurrentReads", "1"), ("Read:ReadQueue", "1"));
        using var client = app.App.GetTestClient();

        var held = client.GetAsync("/read", Ct);
        await app.Entered.Task.WaitAsync(Ct);
        // One of the two waits for the slot, the other finds the queue full.
        var waiting = new[] { client.GetAsync("/read", Ct), client.GetAsync("/read", Ct) };
        using var refused = await Task.WhenAny(waiting).Unwrap();
        app.Release.SetResult();
        using var first = await held;
        var answers = await Task.WhenAll(waiting);

        await AssertRefusedAsync(refused, 1, "Reads busy");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], answers.Select(a => a.StatusCode).Order());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task An_export_gives_its_slot_back_when_written_when_its_client_leaves_and_when_its_read_fails()
    {
        using var slots = new ExportSlots(Options.Create(new ReadOptions { MaxConcurrentExports = 1 }));
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([store.Record(), store.Record()], Ct);
        var events = store.Store.ReadAllAsync(new AuditQuery(Limit: 1), Ct);

        // Written to the end.
        await new CloudEventExportResult(events, ExportFormat.Batch, slots.TryTake()).ExecuteAsync(NewContext(CancellationToken.None));
        using (var again = slots.TryTake())
        {
            Assert.NotNull(again);
        }

        // The client left before the first event.
        using var left = new CancellationTokenSource();
        await left.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new CloudEventExportResult(events, ExportFormat.Ndjson, slots.TryTake()).ExecuteAsync(NewContext(left.Token)));
        using (var again = slots.TryTake())
        {
            Assert.NotNull(again);
        }

        // The store failed mid-way.
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => new CloudEventExportResult(FailingAfterOne(events), ExportFormat.Batch, slots.TryTake()).ExecuteAsync(NewContext(CancellationToken.None)));
        using var last = slots.TryTake();
        Assert.NotNull(last);

        static DefaultHttpContext NewContext(CancellationToken aborted) =>
            new() { RequestAborted = aborted, Response = { Body = new MemoryStream() } };

        static async IAsyncEnumerable<StoredAuditEvent> FailingAfterOne(IAsyncEnumerable<StoredAuditEvent> events)
        {
            await foreach (var stored in events)
            {
                yield return stored;
                throw new InvalidOperationException("The store went away.");
            }
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int retryAfter, string title)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(retryAfter), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal((503, title), (problem.RootElement.GetProperty("status").GetInt32(), problem.RootElement.GetProperty("title").GetString()));
    }

    /// <summary>Stores <paramref name="count"/> events of about 200 KB each, oldest first, and returns their ids in that order.</summary>
    private static async Task<string[]> StoreLargeEventsAsync(TemporaryAuditStore store, int count)
    {
        var padding = new string('x', LargeData);
        var records = Enumerable.Range(1, count).Select(i => store.Record($"large-{i}", $$"""{"padding":"{{padding}}"}""")).ToList();
        await store.Store.InsertAsync(records, Ct);
        return [.. records.Select(r => r.Id)];
    }

    /// <summary>
    /// An in-process host with AuditService's read limits: <c>/read</c> under the short reads' policy,
    /// <c>/export</c> in an export slot; the first request of either holds its slot until released.
    /// </summary>
    private static async Task<LimitedApp> StartAsync(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddProblemDetails();
        builder.Services.AddReadLimits();
        var app = builder.Build();
        var limited = new LimitedApp(app);
        app.UseRateLimiter();
        app.MapGet("/read", limited.HoldFirstAsync).WithReadLimit();
        // As the export and verify handlers take their slot, once the request is valid.
        app.MapGet("/export", async (ExportSlots slots, HttpResponse response) =>
        {
            if (slots.TryTake() is not { } slot)
            {
                return ExportSlots.Busy(response);
            }

            using (slot)
            {
                return await limited.HoldFirstAsync();
            }
        });
        await app.StartAsync(Ct);
        return limited;
    }

    private sealed class LimitedApp(WebApplication app) : IAsyncDisposable
    {
        private int _requests;

        public WebApplication App => app;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IResult> HoldFirstAsync()
        {
            if (Interlocked.Increment(ref _requests) == 1)
            {
                Entered.SetResult();
                await Release.Task;
            }

            return Results.Ok();
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
