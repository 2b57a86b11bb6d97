using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using UserAudit.ServiceDefaults.Http;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>
/// What ServiceDefaults gives every service at its edge, on an in-process host: nosniff on every
/// answer, one ProblemDetails shape for every error (a busy or full database a 503 to retry), a new
/// trace for an untrusted caller with the caller's context kept as a bounded link, health answered
/// from the published report, loopback-only URLs in Development.
/// </summary>
public sealed class ServiceEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_answer_carries_nosniff_whatever_its_status()
    {
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();

        foreach (var path in (string[])["/hello", "/missing", "/fails", "/health"])
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Theory]
    [InlineData("/busy", 1, "Storage busy")]
    [InlineData("/locked", 1, "Storage busy")]
    [InlineData("/full", 30, "Storage full")]
    [InlineData("/pg-full", 30, "Storage full")]
    [InlineData("/pg-deadlock", 1, "Storage busy")]
    [InlineData("/pg-starting", 1, "Storage busy")]
    [InlineData("/pg-terminated", 5, "Storage unavailable")]
    [InlineData("/pg-unreachable", 5, "Storage unavailable")]
    public async Task A_write_the_database_cannot_take_now_is_a_503_to_retry_not_a_500(string path, int retryAfter, string title)
    {
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();

        using var response = await client.PostAsync(path, null, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(retryAfter), response.Headers.RetryAfter?.Delta);
        var problem = await ProblemAsync(response);
        Assert.Equal((503, title), (problem.GetProperty("status").GetInt32(), problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task A_failure_nobody_handles_is_a_500_problem_naming_the_request_by_its_trace_id_and_nothing_else()
    {
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();

        using var corrupt = await client.PostAsync("/corrupt", null, Ct);
        using var throws = await client.PostAsync("/throws", null, Ct);

        foreach (var response in (HttpResponseMessage[])[corrupt, throws])
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.DoesNotContain("secret", problem.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(413, "https://tools.ietf.org/html/rfc9110#section-15.5.14")]
    [InlineData(429, "https://tools.ietf.org/html/rfc6585#section-4")]
    [InlineData(404, "https://tools.ietf.org/html/rfc9110#section-15.5.5")]
    [InlineData(507, "about:blank")]
    public async Task Every_problem_has_a_type_and_a_title_even_for_statuses_the_framework_leaves_untyped(int status, string type)
    {
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();

        using var response = await client.GetAsync($"/status/{status}", Ct);

        var problem = await ProblemAsync(response);
        Assert.Equal((status, type), (problem.GetProperty("status").GetInt32(), problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task An_untrusted_callers_traceparent_starts_no_trace_of_ours_and_is_kept_as_a_link_with_a_cleaned_tracestate()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = Listen(activities);
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Add("traceparent", $"00-{caller.TraceId}-{caller.SpanId}-01");
        request.Headers.Add("tracestate", "good=1,BAD KEY=x,vendor=ok=no,v2=fine");
        request.Headers.Add("baggage", "user=mallory");
        using var response = await client.SendAsync(request, Ct);

        var server = await StoppedAsync(activities);
        Assert.NotEqual(caller.TraceId, server.TraceId);
        Assert.Equal(default, server.ParentSpanId);
        Assert.Null(server.TraceStateString);
        Assert.Empty(server.Baggage);
        var link = Assert.Single(server.Links);
        Assert.Equal((caller.TraceId, caller.SpanId, "good=1,v2=fine"), (link.Context.TraceId, link.Context.SpanId, link.Context.TraceState));
    }

    [Fact]
    public async Task A_service_told_to_trust_incoming_context_continues_the_callers_trace()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = Listen(activities);
        await using var app = await StartAsync(Environments.Production, ("Tracing:TrustIncomingContext", "true"));
        using var client = app.GetTestClient();
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(traceId, (await StoppedAsync(activities)).TraceId);
    }

    [Fact]
    public async Task Health_is_answered_from_the_published_report_so_probes_run_no_check()
    {
        var checks = 0;
        await using var app = await StartAsync(Environments.Development, configure: services =>
            services.AddHealthChecks().AddCheck("counted", () => HealthCheckResult.Healthy($"run {Interlocked.Increment(ref checks)}")));
        using var client = app.GetTestClient();
        await Infrastructure.Eventually.TrueAsync(async ct => (await client.GetAsync("/health", ct)).StatusCode == HttpStatusCode.OK, "the first health report", null, Ct);
        var before = Volatile.Read(ref checks);

        for (var i = 0; i < 50; i++)
        {
            using var response = await client.GetAsync("/health", Ct);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
        }

        using var detail = await client.GetAsync("/health/detail", Ct);
        Assert.InRange(Volatile.Read(ref checks) - before, 0, 1);
        Assert.Contains("\"counted\"", await detail.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detailed_health_is_not_served_outside_development()
    {
        await using var app = await StartAsync(Environments.Production);
        using var client = app.GetTestClient();

        using var detail = await client.GetAsync("/health/detail", Ct);

        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
    }

    [Theory]
    [InlineData("Development", "http_ports", "8080", "http://localhost:8080")]
    [InlineData("Development", "http_ports", "8080;8081", "http://localhost:8080;http://localhost:8081")]
    [InlineData("Development", "urls", "http://*:5000;http://0.0.0.0:5001;http://[::]:5002;http://+:5003", "http://localhost:5000;http://localhost:5001;http://localhost:5002;http://localhost:5003")]
    [InlineData("Development", "urls", "http://127.0.0.1:5000;http://192.0.2.7:5001", "http://127.0.0.1:5000;http://192.0.2.7:5001")]
    [InlineData("Development", "urls", "http://devbox:5000;http://LocalHost:5001;http://[::1]:5002", "http://localhost:5000;http://LocalHost:5001;http://[::1]:5002")]
    [InlineData("Production", "http_ports", "8080", null)]
    public void In_development_every_wildcard_binding_becomes_loopback(string environment, string key, string value, string? urls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment, DisableDefaults = true });
        builder.Configuration[key] = value;

        LoopbackBinding.Apply(builder);

        Assert.Equal(urls, builder.Configuration["urls"]);
    }

    [Fact]
    public void A_development_machine_can_opt_out_deliberately()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Configuration["http_ports"] = "8080";
        builder.Configuration[LoopbackBinding.BeyondLoopbackSetting] = "true";

        LoopbackBinding.Apply(builder);

        Assert.Null(builder.Configuration["urls"]);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", problem.GetProperty("traceId").GetString());
        return problem;
    }

    // The server's activity stops after the response went out: wait for it.
    private static Task<Activity> StoppedAsync(ConcurrentQueue<Activity> activities) =>
        Infrastructure.Eventually.GetAsync(_ => Task.FromResult(activities.SingleOrDefault(a => a.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn")),
            "the request's activity", null, Ct);

    private static ActivityListener Listen(ConcurrentQueue<Activity> activities)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static async Task<WebApplication> StartAsync(string environment, (string Key, string Value)? setting = null, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        if (setting is { } s)
        {
            builder.Configuration[s.Key] = s.Value;
        }

        builder.AddServiceDefaults();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        // As the services' pipelines start.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapGet("/hello", () => "hello");
        app.MapGet("/fails", (HttpContext _) => Results.Problem(statusCode: 500));
        app.MapGet("/status/{status:int}", (int status) => Results.Problem(statusCode: status));
        app.MapPost("/busy", IResult () => throw new SqliteException("database is locked", 5));
        app.MapPost("/locked", IResult () => throw new SqliteException("database table is locked", 6));
        app.MapPost("/full", IResult () => throw new SqliteException("database or disk is full", 13));
        app.MapPost("/pg-full", IResult () => throw new Npgsql.PostgresException("could not extend file", "ERROR", "ERROR", "53100"));
        app.MapPost("/pg-deadlock", IResult () => throw new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"));
        app.MapPost("/pg-starting", IResult () => throw new Npgsql.PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"));
        app.MapPost("/pg-terminated", IResult () => throw new Npgsql.PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"));
        app.MapPost("/pg-unreachable", IResult () => throw new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5432",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        app.MapPost("/corrupt", IResult () => throw new SqliteException("database disk image is malformed: secret", 11));
        app.MapPost("/throws", IResult () => throw new InvalidOperationException("secret"));
        await app.StartAsync(Ct);
        return app;
    }
}
