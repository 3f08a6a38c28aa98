package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/safetynet/safetynet/internal/wechattest"
)

func init() {
	register(command{name: "wechattest", usage: "a loopback WeChat official-account API to try the WeChat channel by hand (see README)", run: runWeChatTest})
}

// runWeChatTest serves internal/wechattest until interrupted, so a person
// can point `safetynet serve` at it and play the resident with curl.
func runWeChatTest(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("wechattest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", "127.0.0.1:8083", "listen address")
	callback := fs.String("callback", "http://127.0.0.1:8080/wechat", "the service's callback URL")
	quota := fs.Int("template-quota", 100000, "template messages allowed a day")
	if err := fs.Parse(args); err != nil {
		return badInput("%v", err)
	}
	srv, err := wechattest.ListenAndServe(*addr, wechattest.WithTemplateQuota(*quota))
	if err != nil {
		return fmt.Errorf("wechattest: listen %s: %w", *addr, err)
	}
	defer srv.Close()
	srv.SetCallback(*callback)
	fmt.Fprintf(env.Stdout, "WeChat API stand-in on %s, posting callbacks to %s\n\n", srv.URL(), *callback)
	fmt.Fprintf(env.Stdout, "Start the service in another terminal:\n  WECHAT_APP_ID=%s WECHAT_APP_SECRET=%s WECHAT_TOKEN=%s WECHAT_AES_KEY=%s \\\n  WECHAT_API_URL=%s WECHAT_TEMPLATES=default=tpl-reminder make run\n\n",
		srv.AppID, srv.AppSecret, srv.Token, srv.AESKey, srv.URL())
	fmt.Fprintf(env.Stdout, "Then talk to it as a resident:  curl '%s/_test/'  lists the endpoints.\n", srv.URL())
	<-ctx.Done()
	return nil
}
