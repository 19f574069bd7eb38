namespace GitpleLive.Server.Services;

/// <summary>Unix milliseconds, the wire's one time unit, from the injected clock.</summary>
public static class TimeProviderExtensions
{
    public static long NowMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
